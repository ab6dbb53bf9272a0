"""The harness's own Kafka producers and consumers: the deep probes', the namespace writer's
(markers and seeds) and the replication proof's. A user's code brings its own clients, and the
real bus tool of onex-registry makes its own.

Every one of them is made here, as every admin client is in admin.py: the broker's bootstrap
servers with its SASL and TLS settings (security.py), a start that stops what failed to start,
and a stop that ends by its deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from onex_services.kinds.kafka.admin import CLOSE_TIMEOUT_S
from onex_services.kinds.kafka.security import client_options

_Client = TypeVar("_Client", AIOKafkaProducer, AIOKafkaConsumer)


def producer(bootstrap_servers: str, **options: Any) -> AIOKafkaProducer:
    """A producer (not started) of the broker at `bootstrap_servers`, with its security
    settings; `options` are aiokafka's. It writes with acks=all unless `options` say otherwise:
    what the harness writes (a marker, a seed, a probe's record) is what a cluster must keep."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        **client_options(bootstrap_servers),
        **{"acks": "all", **options},
    )


def consumer(bootstrap_servers: str, *topics: str, **options: Any) -> AIOKafkaConsumer:
    """A consumer (not started) of `topics` (none: it is assigned partitions later) on the
    broker at `bootstrap_servers`, with its security settings; `options` are aiokafka's."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        **client_options(bootstrap_servers),
        **options,
    )


async def started(client: _Client) -> _Client:
    """`client`, started; one that fails to start is stopped before the error is raised."""
    try:
        await client.start()
    except BaseException:
        with contextlib.suppress(Exception):  # the start's own error is the one to report
            await stop(client)
        raise
    return client


async def stop(client: AIOKafkaProducer | AIOKafkaConsumer) -> None:
    """Stop `client` within CLOSE_TIMEOUT_S (TimeoutError past it)."""
    # A consumer stopped before its background task first ran raises CancelledError from
    # stop() (aiokafka awaits the task it has just cancelled): let the task run once first.
    await asyncio.sleep(0)
    await asyncio.wait_for(client.stop(), CLOSE_TIMEOUT_S)


@contextlib.asynccontextmanager
async def running(client: _Client) -> AsyncIterator[_Client]:
    """`started` for the block, stopped after it (`stop`)."""
    await started(client)
    try:
        yield client
    finally:
        await stop(client)
