"""The stack of one `isolation: private` scenario: its real services, started for it alone.

Service faults (kill, pause, restart) and limits change a whole server, which the other
scenarios of a run must never feel; such a scenario declares `isolation: private` and every real
service it uses comes from a stack of its own (onex_services.private_stacks: own state dir, own
ports, the run dir shared so the reaper sees it). The stack is started on the scenario's first
probe, held by one lease of this process and stopped when the scenario ends (`close`); a
harness killed before that leaves an orphan the next start reaps.

The backend is the run's when that is compose, else process: a private stack is always managed
(an external endpoint is somebody else's server, which must not be killed).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

from onex_scenario.faults import ModelLimits
from onex_services.manager import ToolServiceManager
from onex_services.private_stacks import private_paths, remove_private_state, sweep_private_stacks
from onex_services.server_limits import apply_limits, remove_limits
from onex_services.settings import Paths

from onex_runner.held_services import RegistryExternalServiceManager
from onex_runner.precondition_cache import ServiceProbes


def private_backend(run_backend: str | None) -> str:
    chosen = run_backend or os.environ.get("ONEX_SERVICES_BACKEND") or "auto"
    return "compose" if chosen == "compose" else "process"


class PrivateStack:
    """The services of one private scenario: a manager, its probes, and the way out."""

    def __init__(
        self,
        name: str,
        run_backend: str | None,
        base: Paths | None = None,
        settings: Mapping[str, Mapping[str, object]] | None = None,
    ) -> None:
        """`settings`: the scenario's own server settings (`servers:`) for this stack."""
        self.base = base or Paths.from_env()
        self.paths = private_paths(self.base, name)
        self.name = name
        self.services = RegistryExternalServiceManager(
            ToolServiceManager(
                backend=private_backend(run_backend),
                paths=self.paths,
                reuse=False,
                settings=settings,
            ),
            label=f"private {name}",
        )
        self.probes = ServiceProbes(lambda: self.services, asyncio.Lock())
        self.swept: list[str] = []
        self.limits: dict[str, object] = {}
        """What the limits set, by kind (as the servers report it)."""
        self._applied: tuple[ModelLimits, str] | None = None

    async def open(self) -> None:
        """Reap what private stacks of dead runs left, before this one adds to the machine."""
        self.swept = await asyncio.to_thread(sweep_private_stacks, self.base)

    async def apply_limits(self, limits: ModelLimits, client_id: str) -> None:
        """The scenario's `limits:` on its own servers (onex_services.server_limits); Kafka
        quotas on `client_id`, the scenario's own clients."""
        if limits.kinds():
            self._applied = (limits, client_id)
            self.limits = await apply_limits(self.services.manager, limits, client_id)

    async def close(self) -> None:
        """Remove the limits that live in a server (Kafka quotas), whatever the scenario's
        outcome, then stop the stack (the lease was its only one) and remove its state dir."""
        try:
            if self._applied is not None:
                limits, client_id = self._applied
                self._applied = None
                await remove_limits(self.services.manager, limits, client_id)
        finally:
            await self._stop()

    async def _stop(self) -> None:
        try:
            await self.services.close()
        finally:
            await asyncio.to_thread(remove_private_state, self.paths)
