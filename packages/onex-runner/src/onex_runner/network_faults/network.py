"""Network faults: toxics on the scenario's own proxy of the target, or the proxy switched off.

`latency`, `bandwidth`, `timeout`, `reset_peer` and `slicer` add a Toxiproxy toxic (by default
on the `downstream` direction, server to client; `stream: upstream` or `both`); `down` disables
the proxy (connections through it are cut and new ones refused: a partition of this scenario
only) until `up`, a `heal` step, `for:`'s timer or the scenario's end. The proxies are the
scenario's own (`onex_runner.network_faults.routing`, kept on `ctx.services`). A mock target
takes the fault itself when it models it (`onex_runner.network_faults.mocked`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from onex_scenario.steps import ModelFaultSpec

from onex_runner.fault_api import FaultApplied, FaultHandler, FaultRefused
from onex_runner.network_faults.mocked import mock_fault, target_is_mock

if TYPE_CHECKING:
    from onex_services.kinds.toxiproxy.proxies import NamespaceProxies

    from onex_runner.step_api import StepContext

NETWORK_ACTIONS = frozenset(
    {"latency", "bandwidth", "timeout", "reset_peer", "slicer", "down", "up"}
)
"""The fault actions of this module: a scenario with one on a real service gets proxies."""
_STREAMS = {
    "downstream": ("downstream",),
    "upstream": ("upstream",),
    "both": ("downstream", "upstream"),
}
_COMMON = {
    "stream": "downstream (server to client, the default), upstream, or both",
    "toxicity": "the share of connections it applies to, 0 to 1 (default 1)",
}


def scenario_proxies(spec: ModelFaultSpec, ctx: StepContext) -> NamespaceProxies:
    proxies = ctx.services.proxies.get(ctx.namespace)
    if proxies is None or spec.target not in proxies.routes:
        raise FaultRefused(
            f"fault {spec.action} on {spec.target}: the service is not behind a proxy of this "
            "scenario (network faults need the target real, or a mock that models the fault)"
        )
    return proxies


def _number(spec: ModelFaultSpec, name: str, default: float | None = None) -> float:
    value = spec.params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FaultRefused(
            f"fault {spec.action} on {spec.target}: params.{name} must be a number >= 0"
            + ("" if default is not None else " (required)")
            + f", got {value!r}"
        )
    return float(value)


class NetworkFault(FaultHandler):
    """A network fault: `params` it takes (unknown keys are refused); on a mock target the
    mock takes it (or refuses it by name), on a real one `on_proxy` applies it."""

    params: ClassVar[Mapping[str, str]] = {}

    def check_params(self, spec: ModelFaultSpec) -> None:
        unknown = sorted(set(spec.params) - set(self.params))
        if unknown:
            known = ", ".join(sorted(self.params)) or "none"
            raise FaultRefused(
                f"fault {spec.action} on {spec.target}: unknown params {', '.join(unknown)} "
                f"(it takes: {known})"
            )

    async def apply(self, spec: ModelFaultSpec, ctx: StepContext) -> FaultApplied:
        self.check_params(spec)
        if target_is_mock(spec, ctx):
            return FaultApplied(await mock_fault(spec, ctx), {"on": "mock"})
        return await self.on_proxy(spec, ctx, scenario_proxies(spec, ctx))

    async def on_proxy(
        self, spec: ModelFaultSpec, ctx: StepContext, proxies: NamespaceProxies
    ) -> FaultApplied:
        raise NotImplementedError


class ToxicAction(NetworkFault):
    """One toxic type; `attributes(spec)` reads its settings from the step's params."""

    toxic: ClassVar[str]

    def attributes(self, spec: ModelFaultSpec) -> dict[str, Any]:
        raise NotImplementedError

    async def on_proxy(
        self, spec: ModelFaultSpec, ctx: StepContext, proxies: NamespaceProxies
    ) -> FaultApplied:
        attributes = self.attributes(spec)
        toxicity = _number(spec, "toxicity", 1.0)
        if toxicity > 1:
            raise FaultRefused(f"fault {spec.action} on {spec.target}: toxicity is 0 to 1")
        stream = str(spec.params.get("stream", "downstream"))
        if stream not in _STREAMS:
            raise FaultRefused(
                f"fault {spec.action} on {spec.target}: params.stream must be one of "
                f"{', '.join(_STREAMS)}, got {stream!r}"
            )
        base = f"onex-{spec.action}-{uuid.uuid4().hex[:8]}"
        names: list[str] = []
        for direction in _STREAMS[stream]:
            name = f"{base}-{direction}"
            names.append(name)  # before: a heal removes a toxic set on some proxies only
            await proxies.add_toxic(
                spec.target, name, self.toxic, attributes, direction, toxicity=toxicity
            )

        async def heal() -> None:
            for name in names:
                await proxies.remove_toxic(spec.target, name)

        return FaultApplied(heal, {"proxy": proxies.proxy_of(spec.target), "toxics": names})


class Latency(ToxicAction):
    action = toxic = "latency"
    params: ClassVar[Mapping[str, str]] = {
        "ms": "delay added to the data, milliseconds (required)",
        "jitter": "random +/- milliseconds around it (default 0)",
        **_COMMON,
    }

    def attributes(self, spec: ModelFaultSpec) -> dict[str, Any]:
        return {"latency": int(_number(spec, "ms")), "jitter": int(_number(spec, "jitter", 0))}


class Bandwidth(ToxicAction):
    action = toxic = "bandwidth"
    params: ClassVar[Mapping[str, str]] = {"rate": "KB per second (required)", **_COMMON}

    def attributes(self, spec: ModelFaultSpec) -> dict[str, Any]:
        return {"rate": int(_number(spec, "rate"))}


class Timeout(ToxicAction):
    action = toxic = "timeout"
    params: ClassVar[Mapping[str, str]] = {
        "ms": "data stops; the connection is closed after this long (0, the default: held)",
        **_COMMON,
    }

    def attributes(self, spec: ModelFaultSpec) -> dict[str, Any]:
        return {"timeout": int(_number(spec, "ms", 0))}


class ResetPeer(ToxicAction):
    action = toxic = "reset_peer"
    params: ClassVar[Mapping[str, str]] = {
        "ms": "connections are reset (TCP RST) after this long (default 0: at once)",
        **_COMMON,
    }

    def attributes(self, spec: ModelFaultSpec) -> dict[str, Any]:
        return {"timeout": int(_number(spec, "ms", 0))}


class Slicer(ToxicAction):
    action = toxic = "slicer"
    params: ClassVar[Mapping[str, str]] = {
        "average_size": "bytes per slice (default 64)",
        "size_variation": "random +/- bytes per slice (default 32)",
        "delay_us": "microseconds between slices (default 10)",
        **_COMMON,
    }

    def attributes(self, spec: ModelFaultSpec) -> dict[str, Any]:
        return {
            "average_size": int(_number(spec, "average_size", 64)),
            "size_variation": int(_number(spec, "size_variation", 32)),
            "delay": int(_number(spec, "delay_us", 10)),
        }


class Down(NetworkFault):
    """The proxy off: a partition between this scenario and the service."""

    action = "down"

    async def on_proxy(
        self, spec: ModelFaultSpec, ctx: StepContext, proxies: NamespaceProxies
    ) -> FaultApplied:
        await proxies.set_enabled(spec.target, False)

        async def heal() -> None:
            await proxies.set_enabled(spec.target, True)

        return FaultApplied(heal, {"proxy": proxies.proxy_of(spec.target)})


class Up(NetworkFault):
    """The proxy on again: ends the `down` faults held on the target (nothing to undo)."""

    action = "up"

    async def apply(self, spec: ModelFaultSpec, ctx: StepContext) -> FaultApplied:
        self.check_params(spec)
        if ctx.faults is None:
            raise FaultRefused("fault steps need the scenario's fault ledger (run by the engine)")
        healed = await ctx.faults.heal(
            ctx.step_id, target=spec.target, actions=frozenset({Down.action})
        )
        if not target_is_mock(spec, ctx):
            await scenario_proxies(spec, ctx).set_enabled(spec.target, True)
        return FaultApplied(None, {"ended": [record.step for record in healed]})
