"""The members of a server that runs as several processes (a Kafka cluster of 3 brokers).

One record stands for the whole server, as a client sees it (one client string); its `process`
is the first member's, and every member (the first too) is kept in the record's details under
`members` as JSON: its name, port, log and process identity. Stopping a record stops every
member, a record is running while every member is, and a service fault can act on one member
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
    (`broker-2`), `node` the server's own id of it (Kafka's node.id)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    node: int
    port: int
    process: ProcessRef
    log_path: str


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
    found = [member.process for member in members(record)]
    if found:
        return found
    return [record.process] if record.process is not None else []


def member_rows(record: ServiceRecord) -> tuple[MemberStatus, ...]:
    """Each member as seen now (for `onex services status`)."""
    from onex_services import launcher

    return tuple(
        MemberStatus(
            name=member.name,
            port=member.port,
            pid=member.process.pid,
            state=RunState.RUNNING if launcher.is_alive(member.process) else RunState.DOWN,
        )
        for member in members(record)
    )


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
