"""What a backend is: something that starts, checks and stops services of a stack.

A backend only runs services; sharing a stack between processes (lock, state file, owners,
reaping) and deep health belong to `ToolServiceManager`, which drives any backend the same way.
A backend module registers a factory in `onex_services.backends.BACKENDS` by name; `compose`
lives in `backends/compose.py` and plugs in there.

Contract, for each method:
- `check_available(kinds)`: raise `BackendUnavailableError`/`MissingBinaryError` naming the fix
  when this backend cannot serve `kinds` on this machine; cheap, no side effects.
- `start(kinds, stack_dir, running=)`: start `kinds` (independent ones in parallel, a dependant
  once what it `depends_on` is healthy, among `kinds` or the stack's `running` servers) and
  return one `ServiceRecord` each once its port accepts connections (deep health comes after,
  from the manager). On failure stop what was started and raise a `ServiceError` with cause,
  log file and fix.
- `restart(record, stack_dir, running=)`: bring back one service that died, on the same port
  when it is still free (given the `running` servers it depends on); return the new record.
- `is_running(record)`: fast (no network round trip beyond a TCP connect), never raises.
- `stop(records, grace_s)`: graceful stop, then kill after `grace_s` seconds.
- `reap(records, stack_dir)`: remove what an owner that died left behind (no grace); return one
  line per thing removed or left alone. `stack_dir` is None when the reaper does not trust the
  directory: then nothing in it may be read. Only what is provably the stack's is removed.
- `refresh_log(record)`: make `record.log_path` hold the service's log up to now (containers keep
  theirs inside the engine; processes write the file themselves and need nothing); never raises.
`manages_processes` is False for backends whose services the harness must never stop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from onex_services.models import ServiceKind, ServiceRecord


@runtime_checkable
class Backend(Protocol):
    name: str
    manages_processes: bool

    def check_available(self, kinds: Sequence[ServiceKind]) -> None: ...

    async def start(
        self,
        kinds: Sequence[ServiceKind],
        stack_dir: Path,
        *,
        running: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> dict[ServiceKind, ServiceRecord]: ...

    async def restart(
        self,
        record: ServiceRecord,
        stack_dir: Path,
        *,
        running: Mapping[ServiceKind, ServiceRecord] | None = None,
    ) -> ServiceRecord: ...

    def is_running(self, record: ServiceRecord) -> bool: ...

    async def stop(self, records: Sequence[ServiceRecord], *, grace_s: float = 10.0) -> None: ...

    def reap(self, records: Sequence[ServiceRecord], stack_dir: Path | None) -> list[str]: ...

    def refresh_log(self, record: ServiceRecord) -> None: ...
