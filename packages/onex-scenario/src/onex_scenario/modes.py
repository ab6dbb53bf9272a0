"""The mode plan: the one place that decides whether each dependency of a scenario is real or mock.

Precedence, highest first: a force from the command line (`cli`) > `ONEX_FORCE_DEPENDENCY_MODE`
(`env`) > the service's own `dependency_mode` (`service`) > the scenario's (`scenario`) > mock
(`default`). Everything downstream (the registry and its audit record, snapshots, pytest markers,
fixtures, reports and the tier label) reads the plan; nothing re-derives a mode from the file.

The plan lives in the scenario package, not in the registry, so that the scenario's own checks
and listings read the same decision without importing tool code; the registry's resolver is the
one that fills in the forces (`RegistryResolver.plan`).

Plain slotted dataclasses, not pydantic models: a plan is made once per scenario run and per
collected pytest item, and the benchmark prints its cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from onex_scenario.models import DependencyModeEnum, TierEnum

if TYPE_CHECKING:
    from onex_scenario.models import ScenarioConfigModel


class ModeReasonEnum(StrEnum):
    """Which rule decided a mode."""

    CLI = "cli"
    ENV = "env"
    SERVICE = "service"
    SCENARIO = "scenario"
    DEFAULT = "default"
    UNAVAILABLE = "unavailable"
    """An optional (`required: false`) real service was down, so its mock ran; `detail` says why."""


@dataclass(frozen=True, slots=True)
class ServiceModePlan:
    """The decided mode of one declared service, why, and what the file itself said."""

    service: str
    kind: str
    mode: DependencyModeEnum
    reason: ModeReasonEnum
    declared: DependencyModeEnum
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        data = {
            "service": self.service,
            "kind": self.kind,
            "mode": self.mode.value,
            "reason": self.reason.value,
            "declared": self.declared.value,
        }
        if self.detail:
            data["detail"] = self.detail
        return data


@dataclass(frozen=True, slots=True)
class ModePlan:
    """Every declared service's mode, the registry's overall mode, and the tier that results.

    `tier` is the effective tier; `declared_tier` is the file's. They differ only under a force
    (a unit scenario forced to real runs as integration), and `tier_label` shows both then.
    """

    scenario: str
    services: Mapping[str, ServiceModePlan]
    registry_mode: DependencyModeEnum
    registry_reason: ModeReasonEnum
    tier: TierEnum
    declared_tier: TierEnum
    forced: DependencyModeEnum | None = None

    def mode(self, service: str) -> DependencyModeEnum:
        return self.services[service].mode

    def real(self) -> list[str]:
        """Names of the services that run real, sorted."""
        return sorted(n for n, s in self.services.items() if s.mode is DependencyModeEnum.REAL)

    @property
    def tier_label(self) -> str:
        return tier_label(self.tier.value, self.declared_tier.value)

    def with_unavailable(self, down: Mapping[str, str]) -> ModePlan:
        """The plan after pre-conditions: optional services in `down` (name -> why) run on their
        mock, and say so. Deciding whether a service may fall back is the caller's job."""
        if not down:
            return self
        services = dict(self.services)
        for name, why in down.items():
            services[name] = replace(
                services[name],
                mode=DependencyModeEnum.MOCK,
                reason=ModeReasonEnum.UNAVAILABLE,
                detail=f"optional, unavailable: {why}",
            )
        return replace(self, services=services)

    def as_dict(self) -> dict[str, object]:
        """The plan as the snapshot and the JSON report record it."""
        return {
            "registry_mode": self.registry_mode.value,
            "registry_reason": self.registry_reason.value,
            "tier": self.tier.value,
            "declared_tier": self.declared_tier.value,
            "forced": self.forced.value if self.forced is not None else None,
            "services": {name: s.as_dict() for name, s in self.services.items()},
        }


def tier_label(tier: str, declared_tier: str) -> str:
    """How a tier is shown: "integration (declared unit)" when a force changed it, else "unit"."""
    if not declared_tier or declared_tier == tier:
        return tier
    return f"{tier} (declared {declared_tier})"


def plan_modes(
    scenario: ScenarioConfigModel,
    *,
    cli: DependencyModeEnum | None = None,
    env: DependencyModeEnum | None = None,
) -> ModePlan:
    """Decide the mode of every declared service of `scenario` (see the module docstring).

    `cli` and `env` are already-parsed forces; with neither, the plan is what the file declares.
    """
    forced, forced_by = (
        (cli, ModeReasonEnum.CLI)
        if cli is not None
        else (env, ModeReasonEnum.ENV)
        if env is not None
        else (None, None)
    )
    explicit = "dependency_mode" in scenario.model_fields_set
    scenario_reason = ModeReasonEnum.SCENARIO if explicit else ModeReasonEnum.DEFAULT
    services: dict[str, ServiceModePlan] = {}
    for name, config in scenario.external_services.items():
        own = config.dependency_mode
        declared, reason = (
            (own, ModeReasonEnum.SERVICE)
            if own is not None
            else (scenario.dependency_mode, scenario_reason)
        )
        services[name] = ServiceModePlan(
            service=name,
            kind=str(config.kind),
            mode=forced if forced is not None else declared,
            reason=forced_by if forced_by is not None else reason,
            declared=declared,
        )
    return ModePlan(
        scenario=scenario.name,
        services=services,
        registry_mode=forced if forced is not None else scenario.dependency_mode,
        registry_reason=forced_by if forced_by is not None else scenario_reason,
        tier=_effective_tier(scenario.tier, forced, bool(services)),
        declared_tier=scenario.tier,
        forced=forced,
    )


def _effective_tier(
    declared: TierEnum, forced: DependencyModeEnum | None, has_services: bool
) -> TierEnum:
    """Forced mock runs as unit; forced real runs as integration (e2e stays e2e). Without a force,
    or without services to force, the file's tier stands."""
    if forced is None or not has_services:
        return declared
    if forced is DependencyModeEnum.MOCK:
        return TierEnum.UNIT
    return declared if declared in (TierEnum.INTEGRATION, TierEnum.E2E) else TierEnum.INTEGRATION
