"""`onex services health --deep`: the deep check of each server that runs as several processes
(`MemberOps.prove`; Kafka's: a record written with acks=all to a topic of replication factor 3
is read after its partition's leader stopped). It stops a member for a moment, which everyone
using the stack feels: run it on a stack of your own, not while tests use it."""

from __future__ import annotations

from onex_services.catalog import kind_spec
from onex_services.manager import ToolServiceManager
from onex_services.member_faults import MemberFaults
from onex_services.members import members


async def prove_members(manager: ToolServiceManager) -> list[tuple[str, bool, str]]:
    """(kind, passed, what it proved or why not) per server of the stack that has members."""
    state = manager.current()
    results: list[tuple[str, bool, str]] = []
    faults = MemberFaults(manager)
    for kind, record in sorted((state.services if state else {}).items()):
        ops = kind_spec(kind).members
        if ops is None or ops.prove is None or not members(record):
            continue

        async def stop(name: str, kind: str = kind) -> None:
            await faults.stop(kind, name)

        async def start(name: str, kind: str = kind) -> None:
            await faults.start(kind, name)

        try:
            results.append((kind, True, await ops.prove(record.url, stop, start)))
        except Exception as exc:  # noqa: BLE001 - reported as the check's failure, exit 3
            results.append((kind, False, f"{type(exc).__name__}: {exc}"))
    return results
