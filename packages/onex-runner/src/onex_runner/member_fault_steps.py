"""Service faults on the leader of a partition (`leader_of: {topic, partition}`): the broker
that leads it is asked of the cluster's metadata when the step runs, and the fault acts on that
broker alone (onex_services.member_faults); the others carry on, so a node with replicated
topics and `acks=all` loses nothing.

- `kill`: SIGKILL to that broker; healed by starting it again on its ports and data (the step
  record's `ready_s` is until the cluster's deep probe passed again);
- `pause`: SIGSTOP to it; healed (or `resume`d) by SIGCONT;
- `restart`: a graceful stop and a start of it.

The record's details name the broker (`member`) and its node's pid, so a report says which one
the fault hit.
"""

from __future__ import annotations

from typing import Any

from onex_scenario import ModelFaultSpec
from onex_services.member_faults import MemberFaults

from onex_runner.fault_api import FaultApplied
from onex_runner.step_api import StepContext


async def leader_fault(spec: ModelFaultSpec, ctx: StepContext, kind: str) -> FaultApplied:
    """Apply `spec.action` to the member leading `spec.leader_of` now."""
    leader = spec.leader_of
    assert leader is not None  # the caller checked
    faults = MemberFaults(ctx.services.manager)
    topic = f"{ctx.namespace}.{leader.topic}"  # the scenario's topic on the broker
    selector = {"leader_of": {"topic": topic, "partition": leader.partition}}
    name = await faults.locate(kind, selector)
    member = faults.member(kind, name)
    details: dict[str, Any] = {
        "member": name,
        "leader_of": f"{leader.topic}[{leader.partition}]",
        # a process member's pid, a container member's id (the compose backend's)
        **({"pid": member.process.pid} if member.process is not None else {}),
        **({"container": member.container[:12]} if member.container is not None else {}),
    }
    if spec.action == "kill":
        await faults.kill(kind, name)

        async def start_again() -> dict[str, Any]:
            recovery = await faults.start(kind, name)
            return {"ready_s": round(recovery.ready_s, 3), "member": name}

        return FaultApplied(heal=start_again, details=details)
    if spec.action == "pause":
        await faults.pause(kind, name)

        async def resume() -> dict[str, Any]:
            await faults.resume(kind, name)
            return {"member": name}

        return FaultApplied(heal=resume, details=details)
    # restart (the scenario's checks allow no other action with leader_of)
    await faults.stop(kind, name)
    recovery = await faults.start(kind, name)
    return FaultApplied(heal=None, details={**details, "ready_s": round(recovery.ready_s, 3)})
