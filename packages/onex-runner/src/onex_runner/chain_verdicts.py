"""Pre-conditions as a chain: a service is usable only when it and everything under it are.

The harness's services of a kind that depends on others get a deep probe of their whole chain
(`precondition_cache`); here the scenario's own edges (`external_services.<name>.depends_on`, and
its kinds' edges between its services) are applied to the verdicts: a service whose dependency is
unavailable is unavailable too, with the chain in its message, e.g.
`connect unusable: depends on kafka (unhealthy: ...)`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from onex_scenario import ScenarioConfigModel
from onex_scenario.dependencies import service_needs

from onex_runner.precondition_cache import ServiceVerdict


def chained_verdicts(
    scenario: ScenarioConfigModel, verdicts: Mapping[str, ServiceVerdict]
) -> dict[str, ServiceVerdict]:
    """`verdicts` with the scenario's edges applied: a service whose dependency (by the
    scenario's `depends_on` or its kind's) is unavailable becomes unavailable, the chain named."""
    needs = service_needs(scenario)
    done: dict[str, ServiceVerdict] = {}

    def settle(name: str, seen: tuple[str, ...] = ()) -> ServiceVerdict:
        if name in done:
            return done[name]
        verdict = verdicts[name]
        if verdict.error is None:
            for dep in needs.get(name, ()):
                if dep not in verdicts or dep in seen:
                    continue
                under = settle(dep, (*seen, name))
                if under.error is not None and under.checked:
                    reason = under.error.removeprefix(f"{dep} ")
                    link = (
                        f"-> {reason.removeprefix('unusable: depends on ')}"
                        if reason.startswith("unusable: depends on")
                        else f"({reason})"
                    )
                    verdict = dataclasses.replace(
                        verdict, endpoint=None, error=f"{name} unusable: depends on {dep} {link}"
                    )
                    break
        done[name] = verdict
        return verdict

    return {name: settle(name) for name in verdicts}
