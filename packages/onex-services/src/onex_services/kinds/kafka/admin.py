"""Kafka admin calls that aiokafka's admin client lacks: deleting consumer groups.

aiokafka has no DeleteGroups (API key 42); without it a namespace's groups, and the probe's,
would stay in the broker after cleanup. v0 and v1 share one wire format, which is all we need.
"""

from __future__ import annotations

from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import Array, Int16, Int32, Schema, String

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


class DeleteGroupsRequest(Request[DeleteGroupsRequest_v0 | DeleteGroupsRequest_v1]):  # type: ignore[misc]
    API_KEY = 42

    def __init__(self, groups: list[str]) -> None:
        self._groups = groups

    def build(
        self, request_struct_class: type[DeleteGroupsRequest_v0 | DeleteGroupsRequest_v1]
    ) -> DeleteGroupsRequest_v0 | DeleteGroupsRequest_v1:
        return request_struct_class(self._groups)


async def delete_groups(admin: AIOKafkaAdminClient, groups: list[str]) -> dict[str, int]:
    """Delete consumer groups; returns the error code per group (0 = deleted)."""
    codes: dict[str, int] = {}
    by_node: dict[int, list[str]] = {}
    for group in groups:
        node = await admin.find_coordinator(group)
        by_node.setdefault(node, []).append(group)
    for node, members in by_node.items():
        # aiokafka's public admin API has no way to send a request it does not know.
        response: Any = await admin._send_request(DeleteGroupsRequest(members), node)
        for group_id, error_code in response.results:
            codes[group_id] = error_code
    return codes
