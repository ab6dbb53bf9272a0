"""Way 1: a fresh PostgreSQL and Redis container for every test (testcontainers)."""

from __future__ import annotations

from collections.abc import Iterator

import peer_containers
import pytest
from peer_work import tests, work


@pytest.fixture
def services() -> Iterator[tuple[str, str]]:
    with peer_containers.postgres() as pg, peer_containers.redis() as cache:
        yield peer_containers.postgres_dsn(pg), peer_containers.redis_url(cache)


@pytest.mark.parametrize("index", tests())
def test_work(services: tuple[str, str], index: int) -> None:
    work(*services)
