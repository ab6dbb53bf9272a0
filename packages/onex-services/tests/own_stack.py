"""A stack of a test's own (state and run directories of its own, process backend), so a test
that starts, kills or restarts servers never disturbs the shared stack of the other tests.

Fixture functions, not a conftest (see stand_ins): `paths = pytest.fixture(own_stack.paths)`,
`manager = pytest.fixture(own_stack.manager)`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from onex_services.manager import ToolServiceManager
from onex_services.settings import Paths


def paths(tmp_path: Path) -> Iterator[Paths]:
    """State in tmp_path; the run dir under /tmp, where the postgres user can reach it."""
    run_dir = Path(f"/tmp/onex-{os.getuid()}-tests") / uuid.uuid4().hex[:8]
    yield dataclasses.replace(Paths.from_env(), state_dir=tmp_path / "state", run_dir=run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)


def manager(paths: Paths) -> Iterator[ToolServiceManager]:
    manager = ToolServiceManager(paths=paths, backend="process", reuse=False)
    yield manager
    asyncio.run(manager.down(force=True))
