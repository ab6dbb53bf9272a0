"""A process-backend service manager of a benchmark's own: its own state and run directories,
so the shared stack is never touched; both are removed afterwards (stop the stack first)."""

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
) -> Iterator[ToolServiceManager]:
    """`settings`: server settings of the stack (e.g. a cluster's `{"kafka": {"brokers": 3}}`)."""
    base = Path(f"/tmp/onex-{os.getuid()}-bench") / uuid.uuid4().hex[:8]
    state_dir = Path(tempfile.mkdtemp(prefix="onex-bench-state-"))
    paths = dataclasses.replace(Paths.from_env(), state_dir=state_dir, run_dir=base)
    try:
        yield ToolServiceManager(paths=paths, backend="process", reuse=False, settings=settings)
    finally:
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(state_dir, ignore_errors=True)
