"""testcontainers-python on the harness's own local images (`python -m onex_services.images
build`): the same PostgreSQL and Redis programs the harness's compose stack runs."""

from __future__ import annotations

import os

from onex_services.catalog import kind_spec
from testcontainers.postgres import PostgresContainer
from testcontainers.redis import RedisContainer

PASSWORD = "peer-bench"


def _image(kind: str) -> str:
    """The image the compose backend runs for `kind`: ONEX_IMAGE_<KIND>, else the local one."""
    spec = kind_spec(kind)
    assert spec.compose is not None, f"{kind} has no compose image"
    return os.environ.get(spec.image_env) or spec.compose.local_image


def postgres() -> PostgresContainer:
    image = _image("postgres")
    # The image makes no database of POSTGRES_DB's name: connect to `postgres`.
    return PostgresContainer(image, username="postgres", password=PASSWORD, dbname="postgres")


def redis() -> RedisContainer:
    image = _image("redis")
    # The image's entrypoint is redis-server, so the command is its arguments only.
    return RedisContainer(image).with_command("--protected-mode no")


def postgres_dsn(container: PostgresContainer) -> str:
    host, port = container.get_container_host_ip(), container.get_exposed_port(5432)
    return f"postgresql://postgres:{PASSWORD}@{host}:{port}/postgres"


def redis_url(container: RedisContainer) -> str:
    host, port = container.get_container_host_ip(), container.get_exposed_port(6379)
    return f"redis://{host}:{port}/0"
