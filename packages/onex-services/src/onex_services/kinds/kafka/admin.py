"""The harness's own Kafka admin clients, and the admin calls aiokafka's client lacks.

Every admin client of the harness is made here (`admin_client`, or `started_admin` and
`close_admin` for one kept across calls): the broker's bootstrap servers, the SASL and TLS
settings for it (kinds/kafka/security.py), and a close that ends by its deadline.

aiokafka has no DeleteGroups (API key 42); without it a namespace's groups, and the probe's,
would stay in the broker after cleanup. v0 and v1 share one wire format, which is all we need.
A request of a fixed wire format is a `FixedRequest` and goes out through `send`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import Array, Int16, Int32, Schema, String

from onex_services.kinds.kafka.security import client_options

CLOSE_TIMEOUT_S = 5.0
"""How long closing an admin client may take before it is given up (TimeoutError)."""

_Struct = TypeVar("_Struct")


async def started_admin(bootstrap_servers: str, **options: Any) -> AIOKafkaAdminClient:
    """A started admin client of the broker at `bootstrap_servers`, with its security settings;
    `options` are aiokafka's other keyword arguments (request_timeout_ms, client_id, ...). One
    that fails to start is closed before the error is raised."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, **client_options(bootstrap_servers), **options
    )
    try:
        await admin.start()
    except BaseException:
        with contextlib.suppress(Exception):  # the start's own error is the one to report
            await close_admin(admin)
        raise
    return admin


async def close_admin(admin: AIOKafkaAdminClient) -> None:
    """Close `admin` within CLOSE_TIMEOUT_S (TimeoutError past it)."""
    await asyncio.wait_for(admin.close(), CLOSE_TIMEOUT_S)


@contextlib.asynccontextmanager
async def admin_client(
    bootstrap_servers: str, **options: Any
) -> AsyncIterator[AIOKafkaAdminClient]:
    """`started_admin` for the block, closed after it (`close_admin`)."""
    admin = await started_admin(bootstrap_servers, **options)
    try:
        yield admin
    finally:
        await close_admin(admin)


class FixedRequest(Request[_Struct]):  # type: ignore[misc]
    """A request whose every version has one wire format: built from the fields it was given,
    in the order of its struct's schema. A subclass names its API_KEY and its versions."""

    API_KEY = -1

    def __init__(self, *fields: Any) -> None:
        self._fields = fields

    def build(self, request_struct_class: type[_Struct]) -> _Struct:
        return request_struct_class(*self._fields)


async def send(admin: AIOKafkaAdminClient, request: Any, node_id: int | None = None) -> Any:
    """`request`'s response from `node_id` (None: any broker, as aiokafka picks)."""
    # aiokafka's public admin API has no way to send a request it does not know.
    return await admin._send_request(request, node_id)


GROUP_ID_NOT_FOUND = 69
NON_EMPTY_GROUP = 68


class DeleteGroupsResponse_v0(Response):  # type: ignore[misc]
    API_KEY = 42
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("results", Array(("group_id", String("utf-8")), ("error_code", Int16))),
    )


class DeleteGroupsResponse_v1(Response):  # type: ignore[misc]
    API_KEY = 42
    API_VERSION = 1
    SCHEMA = DeleteGroupsResponse_v0.SCHEMA


class DeleteGroupsRequest_v0(RequestStruct):  # type: ignore[misc]
    API_KEY = 42
    API_VERSION = 0
    RESPONSE_TYPE = DeleteGroupsResponse_v0
    SCHEMA = Schema(("groups_names", Array(String("utf-8"))))


class DeleteGroupsRequest_v1(RequestStruct):  # type: ignore[misc]
    API_KEY = 42
    API_VERSION = 1
    RESPONSE_TYPE = DeleteGroupsResponse_v1
    SCHEMA = DeleteGroupsRequest_v0.SCHEMA


class DeleteGroupsRequest(FixedRequest[DeleteGroupsRequest_v0 | DeleteGroupsRequest_v1]):
    """DeleteGroupsRequest(groups): the groups to delete."""

    API_KEY = 42


async def delete_groups(admin: AIOKafkaAdminClient, groups: list[str]) -> dict[str, int]:
    """Delete consumer groups; returns the error code per group (0 = deleted)."""
    codes: dict[str, int] = {}
    by_node: dict[int, list[str]] = {}
    for group in groups:
        node = await admin.find_coordinator(group)
        by_node.setdefault(node, []).append(group)
    for node, members in by_node.items():
        response = await send(admin, DeleteGroupsRequest(members), node)
        for group_id, error_code in response.results:
            codes[group_id] = error_code
    return codes
