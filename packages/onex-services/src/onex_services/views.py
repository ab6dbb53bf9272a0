"""Status and health views: one row per service (managed or external), its log file.

Nothing here starts, stops or changes a service; the rows are read from the state file, the
backend's view of its processes or containers, and (when asked) a deep probe each.
"""

from __future__ import annotations

import time
from pathlib import Path

from onex_scenario.redaction import redact_url

from onex_services.backends import load_backend, load_backend_or_none
from onex_services.catalog import kind_specs
from onex_services.chain import chained_rows, unprobed
from onex_services.errors import ServiceError
from onex_services.health import probe_once
from onex_services.members import member_rows
from onex_services.models import (
    HealthResult,
    RunState,
    ServiceKind,
    ServiceRecord,
    ServiceStatus,
)
from onex_services.planning import external_candidates, external_record
from onex_services.ports import port_accepts
from onex_services.settings import Paths
from onex_services.state import StackState


async def status_rows(
    state: StackState | None, paths: Paths, backend_name: str, *, deep: bool = False
) -> list[ServiceStatus]:
    """One row per service: the stack's, then external ones of the other kinds; `deep` adds a
    deep probe of each running one (a service that is down gets a "not running" result)."""
    records = _running_records(state, paths)
    managed = {record.kind for record, _ in records}
    others = [kind for kind in kind_specs() if kind not in managed]
    for endpoint in external_candidates(backend_name, others).values():
        record = external_record(endpoint)
        records.append((record, port_accepts(record.host, record.port)))
    health: dict[ServiceKind, HealthResult] = {}
    if deep:
        down = {
            record.kind: unprobed(record.kind, record.url, "not running")
            for record, running in records
            if not running
        }
        health = await probe_once(
            [record.endpoint for record, running in records if running], known=down
        )
        health.update(down)
    now = time.time()
    rows = [
        ServiceStatus(
            kind=record.kind,
            backend=record.backend,
            endpoint=redact_url(record.url),
            state=RunState.RUNNING if running else RunState.DOWN,
            pid=record.process.pid if record.process else None,
            container=record.container,
            uptime_s=round(now - record.started_at, 1) if running and record.process else None,
            log_path=record.log_path,
            health=health.get(record.kind),
            members=member_rows(record),
        )
        for record, running in records
    ]
    return chained_rows(rows)


def service_log(state: StackState | None, paths: Paths, kind: ServiceKind | str) -> Path:
    """The log file of a service of the managed stack, brought up to date by its backend."""
    record = state.services.get(str(kind)) if state else None
    if record is None or record.log_path is None:
        raise ServiceError(
            f"no log for {kind}",
            cause="it is not running in a stack started by the harness",
            fix="start it with `onex services start`",
        )
    load_backend(record.backend, paths).refresh_log(record)
    return Path(record.log_path)


def running_records(state: StackState | None, paths: Paths) -> list[ServiceRecord]:
    """The records of the stack's services that its backend sees running."""
    backend = load_backend_or_none(state.backend, paths) if state is not None else None
    if state is None or backend is None:
        return []
    return [record for record in state.services.values() if backend.is_running(record)]


def _running_records(state: StackState | None, paths: Paths) -> list[tuple[ServiceRecord, bool]]:
    if state is None:
        return []
    backend = load_backend_or_none(state.backend, paths)
    return [
        (
            record,
            backend is not None
            and backend.is_running(record)
            and port_accepts(record.host, record.port),
        )
        for record in state.services.values()
    ]
