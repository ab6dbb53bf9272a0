"""A scenario's pre-conditions: is each real service it needs usable, and what then.

A required service that is down stops the scenario (failed, or skipped by its own setting) with
`PreconditionStop`; an optional one is noted for the resolver to build its mock instead.
"""

from __future__ import annotations

import time

from onex_scenario import ScenarioConfigModel

from onex_runner.chain_verdicts import chained_verdicts
from onex_runner.precondition_cache import ServiceProbes
from onex_runner.results import (
    ModelScenarioPreConditionResult,
    ModelServicePreConditionResult,
    OutcomeEnum,
    PreConditionStatusEnum,
)


class ScenarioStop(Exception):
    """Ends a scenario early with a given outcome (a failed pre-condition, say)."""

    def __init__(self, outcome: OutcomeEnum, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


class PreconditionStop(ScenarioStop):
    """A required real service is down: the scenario ends with its pre-condition result."""

    def __init__(
        self, outcome: OutcomeEnum, message: str, result: ModelScenarioPreConditionResult
    ) -> None:
        super().__init__(outcome, message)
        self.result = result


async def check_preconditions(
    probes: ServiceProbes, scenario: ScenarioConfigModel, real: set[str], *, skip: bool
) -> tuple[ModelScenarioPreConditionResult, dict[str, str], dict[str, str]]:
    """Probe the `real` services of `scenario` (`skip`: --skip-preconditions, not checked);
    the result, the endpoints of the usable ones, and why each optional one is not usable."""
    started = time.perf_counter()
    if not real:
        return ModelScenarioPreConditionResult(status=PreConditionStatusEnum.NOT_NEEDED), {}, {}
    verdicts = chained_verdicts(scenario, await probes.verdicts(scenario, sorted(real)))
    results: list[ModelServicePreConditionResult] = []
    endpoints: dict[str, str] = {}
    fallbacks: dict[str, str] = {}
    down_required: list[str] = []
    for name in sorted(real):
        config = scenario.external_services[name]
        verdict = verdicts[name]
        error = verdict.error
        checked = verdict.checked and not skip
        usable = verdict.endpoint is not None and (error is None or not checked)
        if usable and verdict.endpoint is not None:
            endpoints[name] = verdict.endpoint
        elif config.required and verdict.checked:
            down_required.append(f"{name} ({config.kind}): {error or 'no endpoint'}")
        elif not config.required:
            fallbacks[name] = error or "no endpoint"
        if not checked:
            status = PreConditionStatusEnum.NOT_CHECKED
        elif usable:
            status = PreConditionStatusEnum.HEALTHY
        elif config.required:
            status = PreConditionStatusEnum.UNHEALTHY
        else:
            status = PreConditionStatusEnum.SKIPPED
        results.append(
            ModelServicePreConditionResult(
                service=name,
                kind=str(config.kind),
                required=config.required,
                status=status,
                endpoint=endpoints.get(name),
                latency_ms=verdict.latency_ms,
                attempts=verdict.attempts,
                error=error,
                remembered=verdict.remembered,
            )
        )
    overall = (
        PreConditionStatusEnum.NOT_CHECKED
        if skip
        else PreConditionStatusEnum.UNHEALTHY
        if down_required
        else PreConditionStatusEnum.HEALTHY
    )
    result = ModelScenarioPreConditionResult(
        status=overall,
        skipped_by_flag=skip,
        duration_ms=(time.perf_counter() - started) * 1000,
        services=results,
    )
    if down_required:
        reason = "required real service unavailable: " + "; ".join(down_required)
        raise PreconditionStop(
            OutcomeEnum.SKIPPED if scenario.skip_if_services_unavailable else OutcomeEnum.FAILED,
            reason,
            result,
        )
    return result, endpoints, fallbacks
