"""A stack of a test's own (state and run directories of its own, process backend), so a test
that starts, kills or restarts servers never disturbs the shared stack of the other tests.

Fixture functions, not a conftest (see stand_ins): `paths = pytest.fixture(own_stack.paths)`,
`manager = pytest.fixture(own_stack.manager)`; `started` for a module's stack of some kinds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from onex_services.leases import Lease
from onex_services.manager import ToolServiceManager
from onex_services.models import ServiceKind
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


@dataclasses.dataclass(frozen=True)
class Stack:
    manager: ToolServiceManager
    paths: Paths
    lease: Lease

    def url(self, kind: ServiceKind) -> str:
        return self.lease.endpoints[kind].url


@contextmanager
def started(
    tmp_path_factory: pytest.TempPathFactory,
    kinds: Sequence[ServiceKind],
    environ: Mapping[str, str],
) -> Iterator[Stack]:
    """A stack of `kinds` of its own, started while `environ` is set (the stack's settings are
    resolved from the environment; the variables are put back after), stopped at the end."""
    run_dir = Path(f"/tmp/onex-{os.getuid()}-tests") / uuid.uuid4().hex[:8]
    paths = dataclasses.replace(
        Paths.from_env(), state_dir=tmp_path_factory.mktemp("state"), run_dir=run_dir
    )
    manager = ToolServiceManager(paths=paths, backend="process", reuse=False)
    before = {name: os.environ.get(name) for name in environ}
    os.environ.update(environ)
    try:
        lease = asyncio.run(manager.up(list(kinds)))
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    try:
        yield Stack(manager=manager, paths=paths, lease=lease)
    finally:
        asyncio.run(manager.down(force=True))
        shutil.rmtree(run_dir, ignore_errors=True)
