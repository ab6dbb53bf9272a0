"""Shared machinery of the differential tests: one event loop that drives a real tool and its
mock with the same call, and the settings that bound a CI run (env knobs for a longer one)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from hypothesis import HealthCheck, settings
from onex_registry import BaseToolFactory
from onex_registry.divergences import Outcome, compare
from onex_scenario import DependencyModeEnum

# CI: a bounded, derandomised run (the same examples every time). ONEX_FIDELITY_EXAMPLES=500
# ONEX_FIDELITY_RANDOM=1 explores further on demand.
EXAMPLES = int(os.environ.get("ONEX_FIDELITY_EXAMPLES", "40"))
STEPS = int(os.environ.get("ONEX_FIDELITY_STEPS", "25"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    derandomize=os.environ.get("ONEX_FIDELITY_RANDOM") != "1",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)


async def outcome(call: Callable[[], Awaitable[Any]]) -> Outcome:
    """The call's value, or the class of the error it raised (the taxonomy's class names)."""
    try:
        return Outcome(value=await call())
    except Exception as exc:  # noqa: BLE001  (every error is an outcome to compare)
        return Outcome(error=type(exc).__name__)


class Pair:
    """Runs one operation on the real tool and on the mock, and compares the outcomes."""

    def __init__(self, protocol: str, loop: asyncio.AbstractEventLoop) -> None:
        self.protocol = protocol
        self.loop = loop
        # After a known divergence the two states may differ: stop comparing this example.
        self.in_step = True

    def run(self, coro: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(coro)

    def same(
        self,
        operation: str,
        real: Callable[[], Awaitable[Any]],
        mock: Callable[[], Awaitable[Any]],
        normalise: Callable[[Any], Any] = lambda value: value,
    ) -> Outcome:
        real_outcome: Outcome = self.run(outcome(real))
        mock_outcome: Outcome = self.run(outcome(mock))
        if not self.in_step:
            return real_outcome
        real_outcome = Outcome(normalise(real_outcome.value), real_outcome.error)
        mock_outcome = Outcome(normalise(mock_outcome.value), mock_outcome.error)
        if not compare(self.protocol, operation, real_outcome, mock_outcome):
            self.in_step = False
        return real_outcome


def connected_pair(
    protocol: Any, factory: BaseToolFactory, endpoint: str
) -> tuple[Pair, Any, Any, str]:
    """A real tool and its mock in one fresh namespace, both built by the factory and connected,
    driven by a Pair on a loop of its own."""
    pair = Pair(protocol.__name__, asyncio.new_event_loop())
    namespace = f"onex_diff_{uuid.uuid4().hex[:10]}"
    real = factory.build(DependencyModeEnum.REAL, endpoint=endpoint, namespace=namespace)
    mock = factory.build(DependencyModeEnum.MOCK, endpoint=None, namespace=namespace)
    assert isinstance(real, protocol)
    assert isinstance(mock, protocol)
    for tool in (real, mock):
        pair.run(tool.connect())
    return pair, real, mock, namespace
