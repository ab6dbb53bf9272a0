"""The members of a server that runs as several processes (a Kafka cluster of 3 brokers).

One record stands for the whole server, as a client sees it (one client string); its `process`
is the first member's, and every member (the first too) is kept in the record's details under
`members` as JSON: its name, port, log and process identity (the process backend's) or container
(the compose backend's, one compose service per member). Stopping a record stops every member, a
record is running while every member is, and a service fault can act on one member
(`member_faults`). A record without the detail is a server of one process.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from onex_services.models import MemberStatus, ProcessRef, RunState, ServiceRecord
from onex_services.settings import Paths

MEMBERS = "members"


class Member(BaseModel):
    """One process of a many-process server; `name` is what faults and status call it
    (`broker-2`), `node` the server's own id of it (Kafka's node.id). A member runs as a
    `process` (process backend) or in a `container` (compose backend), one of the two."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    node: int
    port: int
    log_path: str
    process: ProcessRef | None = None
    container: str | None = None


def format_members(members: list[Member]) -> str:
    return json.dumps([member.model_dump(mode="json") for member in members])


def members(record: ServiceRecord) -> list[Member]:
    """The record's members (empty for a server of one process)."""
    raw = record.details.get(MEMBERS)
    if not raw:
        return []
    return [Member.model_validate(item) for item in json.loads(raw)]


def processes(record: ServiceRecord) -> list[ProcessRef]:
    """Every process of the record: its members', else its own."""
    listed = members(record)
    if listed:
        return [member.process for member in listed if member.process is not None]
    return [record.process] if record.process is not None else []


def containers(record: ServiceRecord) -> list[str]:
    """Every container of the record: its members', else its own."""
    listed = members(record)
    if listed:
        return [member.container for member in listed if member.container is not None]
    return [record.container] if record.container is not None else []


def member_rows(record: ServiceRecord) -> tuple[MemberStatus, ...]:
    """Each member as seen now (for `onex services status`)."""
    return tuple(
        MemberStatus(
            name=member.name,
            port=member.port,
            pid=member.process.pid if member.process is not None else None,
            container=member.container,
            state=RunState.RUNNING if member_runs(member) else RunState.DOWN,
        )
        for member in members(record)
    )


def member_runs(member: Member) -> bool:
    """Its process lives (process backend), or its container runs and is not paused."""
    from onex_services import launcher

    if member.process is not None:
        return launcher.is_alive(member.process)
    return member.container is not None and container_state(member.container) == "running"


def container_state(container: str) -> str:
    """`running`, `paused`, `exited`... as the engine says now (`gone` when it has none)."""
    from python_on_whales import DockerClient, DockerException

    try:
        state = DockerClient().container.inspect(container).state
    except DockerException:
        return "gone"
    return "paused" if state.paused else str(state.status or "unknown")


def container_health(container: str) -> str:
    """The container's healthcheck status now (`healthy`, `starting`...; `none` without one)."""
    from python_on_whales import DockerClient, DockerException

    try:
        health = DockerClient().container.inspect(container).state.health
    except DockerException:
        return "gone"
    return str(health.status) if health is not None and health.status else "none"


def with_member(record: ServiceRecord, member: Member) -> ServiceRecord:
    """The record with `member` replacing the member of the same name (after its restart); the
    record's own process follows the first member."""
    updated = [member if m.name == member.name else m for m in members(record)]
    details = {**record.details, MEMBERS: format_members(updated)}
    return record.model_copy(update={"details": details, "process": updated[0].process})


@dataclass(frozen=True)
class MemberOps:
    """A kind's calls on the members of its many-process servers (`KindSpec.members`).

    `restart(record, name, paths)` starts the stopped member `name` again on its ports and data
    and returns the record with its new process; `locate(url, selector)` names the member that a
    selector means right now, asked of the server itself (Kafka: `{"leader_of": {"topic": t,
    "partition": p}}`, the broker leading that partition), or raises `LookupError` saying why.
    """

    restart: Callable[[ServiceRecord, str, Paths], Awaitable[ServiceRecord]]
    locate: Callable[[str, Mapping[str, object]], Awaitable[str]]
    prove: Callable[[str, MemberCall, MemberCall], Awaitable[str]] | None = None
    """The deep check of the whole server (`onex services health --deep`): `prove(url, stop,
    start)` may stop a member and start it again, returns what it proved (Kafka: a record is
    read after its partition's leader stopped) or raises."""


MemberCall = Callable[[str], Awaitable[None]]
