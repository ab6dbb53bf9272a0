"""A service manager of a benchmark's own (process backend unless told): its own state and run
directories, so the shared stack is never touched; both are removed afterwards (stop the stack
first). A compose stack's project is named after its own run dir, so it is its own as well."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from onex_services.manager import ToolServiceManager
from onex_services.settings import Paths


@contextmanager
def private_manager(
    settings: dict[str, dict[str, object]] | None = None,
    backend: str = "process",
) -> Iterator[ToolServiceManager]:
    """`settings`: server settings of the stack (e.g. a cluster's `{"kafka": {"brokers": 3}}`);
    `backend`: process or compose."""
    base = Path(f"/tmp/onex-{os.getuid()}-bench") / uuid.uuid4().hex[:8]
    state_dir = Path(tempfile.mkdtemp(prefix="onex-bench-state-"))
    paths = dataclasses.replace(Paths.from_env(), state_dir=state_dir, run_dir=base)
    try:
        yield ToolServiceManager(paths=paths, backend=backend, reuse=False, settings=settings)
    finally:
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(state_dir, ignore_errors=True)
