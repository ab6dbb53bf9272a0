"""services.up to all-healthy on the compose backend (local images built), beside the process
backend's figure, in the same run. Target: compose at most 15 s. Prints; asserts nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import sys
import tempfile
import time
from pathlib import Path

from onex_services import docker_engine
from onex_services.images import build_images
from onex_services.manager import ToolServiceManager
from onex_services.settings import Paths

ALL = ["kafka", "postgres", "redis"]


async def _cold_start(backend: str, base: Path) -> float:
    paths = dataclasses.replace(Paths.from_env(), state_dir=base / "state", run_dir=base / "run")
    manager = ToolServiceManager(paths=paths, backend=backend, reuse=False)
    started = time.perf_counter()
    lease = await manager.acquire(ALL, label=f"bench-{backend}")
    elapsed = time.perf_counter() - started
    await manager.release(lease)
    return elapsed


def main() -> int:
    if not docker_engine.engine_answers():
        print("compose: no Docker engine answers; run `invoke images.engine` first")
        return 0
    build_images(Paths.from_env().cache_dir)
    results = {}
    for backend in ("process", "compose"):
        base = Path(tempfile.mkdtemp(prefix=f"onex-bench-{backend}-", dir="/tmp"))
        base.chmod(0o755)  # PostgreSQL runs as its own user and must reach its data directory
        try:
            results[backend] = asyncio.run(_cold_start(backend, base))
        finally:
            shutil.rmtree(base, ignore_errors=True)
    print(f"process backend: up to all-healthy in {results['process']:.1f} s (target <= 8 s)")
    print(f"compose backend: up to all-healthy in {results['compose']:.1f} s (target <= 15 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
