"""A scenario's cleanup, where every step ends by its deadline whatever the services do.

A broker killed mid-scenario makes `AIOKafkaProducer.stop` retry for good; a `CancelledError`
can surface from an admin call. Neither may hang or end the run: each step runs as a task of
its own that is given up after the deadline, and whatever it raised becomes a line of the
scenario's result. What a timed-out cleanup could not remove is left for the reaper, and the
result says so.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from onex_registry import BaseOnexRegistry, EventBus
from onex_scenario import ScenarioConfigModel
from onex_scenario.durations import parse_duration
from onex_services.namespaces import cleanup_namespace, verify_clean

DEFAULT_CLEANUP_TIMEOUT_S = 10.0
CLEANUP_TIMEOUT_ENV = "ONEX_CLEANUP_TIMEOUT_S"
_UNWIND_S = 0.5
"""How long a given-up step may take to unwind after it is cancelled before it is abandoned."""

# Tasks given up on: kept referenced (asyncio holds only weak references) until they end.
_ABANDONED: set[asyncio.Task[Any]] = set()


class CleanupSettingError(ValueError):
    """`ONEX_CLEANUP_TIMEOUT_S` is not a positive duration."""


def cleanup_timeout_from_env(environ: Mapping[str, str] | None = None) -> float | None:
    """The deadline set by `ONEX_CLEANUP_TIMEOUT_S` (seconds, or a duration such as `2s`)."""
    raw = (os.environ if environ is None else environ).get(CLEANUP_TIMEOUT_ENV, "").strip()
    if not raw:
        return None
    try:
        seconds = parse_duration(raw)
    except (ValueError, TypeError) as exc:
        raise CleanupSettingError(
            f"{CLEANUP_TIMEOUT_ENV}={raw!r}: expected seconds or a duration such as 10s"
        ) from exc
    if seconds <= 0:
        raise CleanupSettingError(f"{CLEANUP_TIMEOUT_ENV}={raw!r}: must be more than 0")
    return seconds


def cleanup_deadline(scenario: ScenarioConfigModel, override: float | None = None) -> float:
    """Seconds each cleanup step may take: the run's setting (flag or env), else the largest
    `cleanup` the scenario sets in its `timeout_profiles`, else 10 s."""
    if override is not None:
        return override
    chosen = [
        profile.cleanup
        for profile in scenario.timeout_profiles.values()
        if "cleanup" in profile.model_fields_set
    ]
    return max(chosen) if chosen else DEFAULT_CLEANUP_TIMEOUT_S


@dataclass
class CleanupReport:
    """What a cleanup left: resources still there, and problems met on the way."""

    namespace: str
    leftovers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def summary(self) -> str:
        if self.timed_out:
            return f"cleanup: timed out, namespace {self.namespace} left for the reaper"
        if self.problems:
            return f"cleanup: {self.problems[0]}"
        if self.leftovers:
            return f"cleanup left {len(self.leftovers)} resource(s)"
        return ""


class _TimedOut(Exception):
    pass


async def bounded(label: str, step: Callable[[], Awaitable[Any]], deadline: float) -> Any:
    """Run `step` as its own task; raise `_TimedOut` after `deadline` without waiting for it
    to agree (a task that ignores cancellation is abandoned, not awaited)."""
    task: asyncio.Task[Any] = asyncio.ensure_future(step())
    done, _ = await asyncio.wait({task}, timeout=deadline)
    if not done:
        task.cancel()
        await asyncio.wait({task}, timeout=_UNWIND_S)
        if not task.done():
            _ABANDONED.add(task)
            task.add_done_callback(_forget)
        raise _TimedOut(f"{label}: no answer within {deadline:g}s")
    if task.cancelled():
        raise asyncio.CancelledError(f"{label}: cancelled")
    return task.result()


def _forget(task: asyncio.Task[Any]) -> None:
    _ABANDONED.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log "exception was never retrieved"


class ScenarioCleanup:
    """Runs the cleanup steps of one scenario in order, each with the same deadline."""

    def __init__(self, namespace: str, deadline: float) -> None:
        self.report = CleanupReport(namespace=namespace)
        self.deadline = deadline

    async def step(self, label: str, action: Callable[[], Awaitable[Any]]) -> Any:
        """One step; its failure or timeout is recorded, never raised."""
        try:
            return await bounded(label, action, self.deadline)
        except _TimedOut as exc:
            self.report.timed_out = True
            self.report.problems.append(str(exc))
        except asyncio.CancelledError as exc:
            # The step's own task was cancelled (by the tool's library), not this run: report it.
            self.report.problems.append(f"{label}: cancelled ({exc})" if str(exc) else label)
        except Exception as exc:  # noqa: BLE001 - any failure of a cleanup step is a result line
            self.report.problems.append(f"{label}: {type(exc).__name__}: {exc}")
        return None

    def _service_gone(self) -> bool:
        """A step timed out: the service is taken as gone for the rest of this cleanup."""
        return self.report.timed_out

    async def run(
        self,
        registry: BaseOnexRegistry | None,
        endpoints: dict[str, str],
        *,
        remove: bool,
    ) -> CleanupReport:
        """Delete the namespace's topics, close every tool, remove and verify the namespace on
        `endpoints` (service kind → client string).

        After a step timed out the service is taken as gone: the namespace steps are skipped
        (they would only wait out their deadlines too) and the namespace is left to the reaper.
        Tools are closed in any case, each with its own deadline.
        """
        if registry is None:
            return self.report
        if remove:
            for name, tool in registry.tools.items():
                if isinstance(tool, EventBus):
                    await self.step(f"deleting topics of {name}", tool.delete_namespace_topics)
        for name, tool in registry.tools.items():
            close = getattr(tool, "close", None)
            if close is not None:
                await self.step(f"closing {name}", close)
        if not (remove and endpoints) or self._service_gone():
            return self.report
        targets = dict(endpoints)  # kind -> client string; each kind's janitor cleans its part
        namespace = self.report.namespace
        await self.step(f"cleanup of {namespace}", lambda: cleanup_namespace(namespace, targets))
        if self._service_gone():
            return self.report
        left = await self.step(f"check of {namespace}", lambda: verify_clean(namespace, targets))
        self.report.leftovers.extend(left or [])
        return self.report
