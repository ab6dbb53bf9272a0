"""Kafka client quotas of one client id: set, read back and removed, over the admin protocol.

aiokafka has DescribeClientQuotas (API key 48) but not AlterClientQuotas (49); v0 of both is a
small fixed wire format, written here. The alternative, Kafka's own `kafka-configs` tool, is a
JVM start (seconds on a two-core machine) per change; one request is milliseconds.

A quota is always on one `client-id` entity, the scenario's own (its namespace, which every
KafkaEventBus of the scenario sends as its client id): the broker throttles that client and no
other, so a quota can never slow another scenario down, even on a shared broker.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import DescribeClientQuotasRequest
from aiokafka.protocol.api import RequestStruct, Response
from aiokafka.protocol.types import Array, Boolean, Float64, Int16, Int32, Schema, String

from onex_services.errors import ServiceError
from onex_services.kinds.kafka.admin import FixedRequest, admin_client, send
from onex_services.polling import Pace, wait_until

if TYPE_CHECKING:
    from onex_scenario.faults import ModelKafkaLimits

    from onex_services.kinds.spec import LimitsTarget

CLIENT_ID = "client-id"
QUOTA_NAMES = ("producer_byte_rate", "consumer_byte_rate")
"""The quota names the broker knows, as in Kafka's own configs."""
_MATCH_EXACT = 0
SETTLE_S = 5.0


class AlterClientQuotasResponse_v0(Response):  # type: ignore[misc]
    API_KEY = 49
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "entries",
            Array(
                ("error_code", Int16),
                ("error_message", String("utf-8")),
                (
                    "entity",
                    Array(("entity_type", String("utf-8")), ("entity_name", String("utf-8"))),
                ),
            ),
        ),
    )


class AlterClientQuotasRequest_v0(RequestStruct):  # type: ignore[misc]
    API_KEY = 49
    API_VERSION = 0
    RESPONSE_TYPE = AlterClientQuotasResponse_v0
    SCHEMA = Schema(
        (
            "entries",
            Array(
                (
                    "entity",
                    Array(("entity_type", String("utf-8")), ("entity_name", String("utf-8"))),
                ),
                ("ops", Array(("key", String("utf-8")), ("value", Float64), ("remove", Boolean))),
            ),
        ),
        ("validate_only", Boolean),
    )


class AlterClientQuotasRequest(FixedRequest[AlterClientQuotasRequest_v0]):
    """AlterClientQuotasRequest(entries, validate_only)."""

    API_KEY = 49


class QuotaError(ServiceError):
    """The broker refused a quota change."""


async def _alter(
    admin: AIOKafkaAdminClient, client_id: str, ops: list[tuple[str, float, bool]]
) -> None:
    entity = [(CLIENT_ID, client_id)]
    response = await send(admin, AlterClientQuotasRequest([(entity, ops)], False))
    for error_code, error_message, _entity in response.entries:
        if error_code:
            raise QuotaError(
                f"the broker refused the client quota of {client_id!r}: error {error_code}"
                f" ({error_message or 'no message'})"
            )


def _admin(bootstrap_servers: str) -> AbstractAsyncContextManager[AIOKafkaAdminClient]:
    return admin_client(bootstrap_servers, client_id="onex-quotas")


async def apply_kafka_limits(
    target: LimitsTarget, limits: ModelKafkaLimits
) -> dict[str, object] | None:
    """A scenario's `limits: {kafka: ...}`: its quotas on its client id; what the broker holds."""
    quotas = limits.model_dump(exclude_none=True)
    if not quotas:
        return None
    client_id = _scenario_client(target)
    record, _ = target.faults.record("kafka")
    return {"client_id": client_id, **await set_client_quotas(record.url, client_id, quotas)}


async def remove_kafka_limits(target: LimitsTarget, limits: ModelKafkaLimits) -> object | None:
    """The scenario's quotas removed again; what the broker still holds for its client id."""
    if not limits.model_dump(exclude_none=True):
        return None
    record, _ = target.faults.record("kafka")
    return await remove_client_quotas(record.url, _scenario_client(target))


def _scenario_client(target: LimitsTarget) -> str:
    if not target.client_id:  # a quota on "" would be nobody's, or the broker would refuse it
        raise QuotaError("a Kafka client quota needs the scenario's client id (its namespace)")
    return target.client_id


async def set_client_quotas(
    bootstrap_servers: str, client_id: str, quotas: Mapping[str, float]
) -> dict[str, float]:
    """Set `quotas` (e.g. producer_byte_rate) on `client_id`; returns what the broker then holds."""
    unknown = sorted(set(quotas) - set(QUOTA_NAMES))
    if unknown:
        raise QuotaError(
            f"unknown Kafka client quota {unknown[0]!r}; known: {', '.join(QUOTA_NAMES)}"
        )
    wanted = {name: float(value) for name, value in quotas.items()}
    async with _admin(bootstrap_servers) as admin:
        await _alter(admin, client_id, [(name, value, False) for name, value in wanted.items()])
        return await _settled(admin, client_id, wanted)


async def remove_client_quotas(bootstrap_servers: str, client_id: str) -> dict[str, float]:
    """Remove every quota of `client_id`; returns what is left (empty when it worked)."""
    async with _admin(bootstrap_servers) as admin:
        held = await _describe(admin, client_id)
        if held:
            await _alter(admin, client_id, [(name, 0.0, True) for name in held])
        return await _settled(admin, client_id, {})


async def client_quotas(bootstrap_servers: str, client_id: str) -> dict[str, float]:
    """The quotas the broker holds for exactly `client_id`."""
    async with _admin(bootstrap_servers) as admin:
        return await _describe(admin, client_id)


async def _settled(
    admin: AIOKafkaAdminClient, client_id: str, wanted: dict[str, float]
) -> dict[str, float]:
    """What the broker holds once it shows `wanted` (or after SETTLE_S): the controller accepts
    a change first and the broker applies it from the metadata log a moment later."""
    held: dict[str, float] = {}

    async def shown() -> bool:
        nonlocal held
        held = await _describe(admin, client_id)
        return held == wanted

    await wait_until(shown, SETTLE_S, pace=Pace(first_s=0.005, factor=2.0, cap_s=0.1))
    return held


async def _describe(admin: AIOKafkaAdminClient, client_id: str) -> dict[str, float]:
    request = DescribeClientQuotasRequest([(CLIENT_ID, _MATCH_EXACT, client_id)], True)
    response = await send(admin, request)
    if response.error_code:
        raise QuotaError(
            f"cannot read the client quotas of {client_id!r}: error {response.error_code}"
            f" ({response.error_message or 'no message'})"
        )
    found: dict[str, float] = {}
    for _entity, values in response.entries:
        for name, value in values:
            found[name] = value
    return found
