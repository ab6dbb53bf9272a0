"""Service faults as fault actions: kill, pause, resume and restart a server of the scenario's
own stack (onex_services.service_faults does the signalling; docs/faults.md shows each).

- `kill`: SIGKILL (`docker kill`); healed by starting it again on the same ports and data dir,
  which ends once a deep probe passes (the time is in the record's details as `ready_s`).
- `pause`: SIGSTOP to its process group (`docker pause`); healed by SIGCONT (`docker unpause`).
- `resume`: ends the target's pause now (a heal of its pause faults; nothing to do when its
  `for:` ended it already).
- `restart`: a graceful stop and a start on the same ports and data dir; the step ends when the
  server passed its deep probe, so it has nothing left to heal.

Each needs the target to be real: a mock has no server, and no mock models these faults.
"""

from __future__ import annotations

from typing import Any

from onex_scenario import ModelFaultSpec
from onex_services import ServiceKind
from onex_services.service_faults import ServiceFaults

from onex_runner.fault_api import FaultApplied, FaultHandler, FaultRefused
from onex_runner.step_api import StepContext


async def _on_leader(spec: ModelFaultSpec, ctx: StepContext) -> FaultApplied | None:
    """The fault on a partition's leader (`leader_of`, see member_fault_steps), else None."""
    if spec.leader_of is None:
        return None
    from onex_runner.member_fault_steps import leader_fault

    return await leader_fault(spec, ctx, _faults(spec, ctx)[1])


def _faults(spec: ModelFaultSpec, ctx: StepContext) -> tuple[ServiceFaults, ServiceKind]:
    """The stack's fault switch and the target's kind, once the target is known to be real."""
    config = ctx.scenario.external_services[spec.target]
    mode = next((r.mode for r in ctx.registry.audit if r.service == spec.target), None)
    if mode != "real":
        raise FaultRefused(
            f"'{spec.action}' needs a real {spec.target}, but it runs as {mode or 'no tool'} "
            "here: no mock models a server being killed, paused or restarted"
        )
    return ServiceFaults(ctx.services.manager), ServiceKind(str(config.kind))


class KillFault(FaultHandler):
    action = "kill"
    service_level = True

    async def apply(self, spec: ModelFaultSpec, ctx: StepContext) -> FaultApplied:
        if (on_leader := await _on_leader(spec, ctx)) is not None:
            return on_leader
        faults, kind = _faults(spec, ctx)
        await faults.kill(kind)

        async def start_again() -> dict[str, Any]:
            recovery = await faults.restart(kind)
            return {"ready_s": round(recovery.ready_s, 3), "pid": _pid(recovery.record)}

        return FaultApplied(heal=start_again)


class PauseFault(FaultHandler):
    action = "pause"
    service_level = True

    async def apply(self, spec: ModelFaultSpec, ctx: StepContext) -> FaultApplied:
        if (on_leader := await _on_leader(spec, ctx)) is not None:
            return on_leader
        faults, kind = _faults(spec, ctx)
        await faults.pause(kind)

        async def resume() -> dict[str, Any]:
            await faults.resume(kind)
            return {}

        return FaultApplied(heal=resume)


class ResumeFault(FaultHandler):
    action = "resume"
    service_level = True

    async def apply(self, spec: ModelFaultSpec, ctx: StepContext) -> FaultApplied:
        ledger = ctx.faults
        assert ledger is not None  # FaultStep checked
        healed = await ledger.heal(ctx.step_id, target=spec.target, actions=frozenset({"pause"}))
        paused_before = any(r.target == spec.target and r.action == "pause" for r in ledger.records)
        if not paused_before:  # a pause that ended already (its `for:` ran out) is fine
            raise FaultRefused(f"{spec.target} was not paused (pause it in a step before)")
        return FaultApplied(heal=None, details={"resumed": [record.step for record in healed]})


class RestartFault(FaultHandler):
    action = "restart"
    service_level = True

    async def apply(self, spec: ModelFaultSpec, ctx: StepContext) -> FaultApplied:
        if (on_leader := await _on_leader(spec, ctx)) is not None:
            return on_leader
        faults, kind = _faults(spec, ctx)
        recovery = await faults.restart(kind)
        return FaultApplied(
            heal=None,
            details={"ready_s": round(recovery.ready_s, 3), "pid": _pid(recovery.record)},
        )


def _pid(record: Any) -> int | None:
    process = getattr(record, "process", None)
    return None if process is None else int(process.pid)
