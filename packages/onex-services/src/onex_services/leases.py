"""Leases: which processes use the shared stack, and when the last one out may stop it.

A lease is an owner entry in the stack's state (pid + start time + lease id, see `state.Owner`).
The functions here only change a `StackState` in memory; the caller holds the state lock and
saves it (see `lifecycle.StackLifecycle`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from onex_services import launcher
from onex_services.models import HealthResult, ServiceEndpoint, ServiceKind
from onex_services.state import Owner, StackState

KindsArg = Iterable[ServiceKind | str] | str | None
# The owner entry a stack carries while it is being started, before any lease is granted.
STARTING = "starting"


class Lease(BaseModel):
    """A process's use of services: endpoints to use, health when acquired, and the lease id."""

    model_config = ConfigDict(frozen=True)

    lease_id: str
    stack_id: str | None
    endpoints: dict[ServiceKind, ServiceEndpoint]
    health: dict[ServiceKind, HealthResult] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


def new_lease_id() -> str:
    return uuid.uuid4().hex[:12]


def new_owner(label: str) -> Owner:
    """This process as a user of the stack, under a fresh lease id."""
    return Owner(process=launcher.owner_ref(), lease_id=new_lease_id(), label=label)


def starting_owner() -> Owner:
    """The placeholder owner that makes a stack being started reapable if this process dies."""
    return Owner(process=launcher.owner_ref(), lease_id=STARTING, label=STARTING)


def grant(state: StackState, owner: Owner | None, *, keep: bool) -> None:
    """Record `owner` (if any) as a user of the stack, dropping dead owners and the starter."""
    owners = [o for o in state.owners if o.alive and o.lease_id != STARTING]
    if owner is not None:
        owners.append(owner)
    state.owners = owners
    state.keep = state.keep or keep


def drop(state: StackState, lease_id: str, *, reuse: bool) -> bool:
    """Remove the lease (and dead owners); True when the stack is now unused and not kept."""
    state.owners = [o for o in state.owners if o.lease_id != lease_id and o.alive]
    if state.owners or state.keep or reuse:
        state.keep = state.keep or reuse
        return False
    return True


def other_users(state: StackState) -> list[Owner]:
    """Live owners other than this process (the ones a `down` without force must respect)."""
    return [o for o in state.live_owners() if o.process.pid != os.getpid()]


def kind_names(kinds: KindsArg) -> str | list[str] | None:
    """The kinds argument as `catalog.parse_kinds` takes it."""
    if kinds is None or isinstance(kinds, str):
        return kinds
    return [str(kind) for kind in kinds]
