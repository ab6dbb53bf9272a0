"""A compose stack serves every registered kind: those with a compose fragment as containers,
those without one (the test-only echo kind, a user's kind) as processes of the stack beside
them, started, probed, stopped and reaped with it. Runs in the compose tier (a Docker engine
with the compose plugin); skipped with the reason elsewhere."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from onex_services import docker_engine, launcher
from onex_services.backends.compose import leftover_containers
from onex_services.catalog import kind_specs
from onex_services.manager import ToolServiceManager
from onex_services.models import HealthStatus, ProcessRef
from onex_services.pytest_fixtures import ServicesHolder
from onex_services.settings import Paths

pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(
        not docker_engine.engine_answers() or not docker_engine.compose_available(),
        reason="no Docker engine with the compose plugin answers (run `invoke images.engine`)",
    ),
]
BESIDE = [kind for kind, spec in kind_specs().items() if spec.compose is None]
IN_COMPOSE = [kind for kind, spec in kind_specs().items() if spec.compose is not None]


@pytest.fixture
def paths(tmp_path: Path) -> Iterator[Paths]:
    run_dir = Path(f"/tmp/onex-{os.getuid()}-compose-tests") / uuid.uuid4().hex[:8]
    yield dataclasses.replace(Paths.from_env(), state_dir=tmp_path / "state", run_dir=run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)


def test_every_kind_of_the_shared_compose_stack_runs_where_its_spec_says(
    onex_services: ServicesHolder,
) -> None:
    """Every registered kind, on-demand ones too (Toxiproxy, Kafka Connect), from the session's
    stack: a container when its kind has a compose fragment, else a process beside."""
    for kind in kind_specs():
        onex_services.endpoint(kind)
    state = onex_services.manager.current()
    assert state is not None
    if state.backend != "compose":
        pytest.skip(f"the session's stack runs on the {state.backend} backend, not compose")
    for kind in IN_COMPOSE:
        record = state.services[kind]
        assert (record.backend, record.process) == ("compose", None), kind
        assert record.container is not None, kind
    for kind in BESIDE:
        record = state.services[kind]
        assert (record.backend, record.container) == ("process", None), kind
        assert record.process is not None, kind
        assert launcher.is_alive(record.process), kind


@pytest.mark.skipif(not BESIDE, reason="every registered kind has a compose fragment here")
def test_a_kind_without_a_compose_service_starts_and_stops_beside_the_containers(
    paths: Paths,
) -> None:
    manager = ToolServiceManager(paths=paths, backend="compose", reuse=False)
    kinds = ["redis", *BESIDE]

    projects: set[str] = set()

    async def scenario() -> list[ProcessRef]:
        lease = await manager.acquire(kinds, label="compose-beside-test")
        try:
            assert all(h.status is HealthStatus.HEALTHY for h in lease.health.values())
            state = manager.current()
            assert state is not None
            assert state.backend == "compose"
            assert state.services["redis"].container is not None
            projects.add(state.services["redis"].details["project"])
            refs = [state.services[kind].process for kind in BESIDE]
            assert all(ref is not None and launcher.is_alive(ref) for ref in refs)
            return [ref for ref in refs if ref is not None]
        finally:
            await manager.release(lease)

    refs = asyncio.run(scenario())
    assert not [ref.pid for ref in refs if launcher.is_alive(ref)]
    assert manager.current() is None
    [project] = projects
    assert not [name for name in leftover_containers() if name.startswith(project)]
