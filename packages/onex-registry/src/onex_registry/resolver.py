"""RegistryResolver: the mode plan of a scenario, which factory builds each tool, and proof.

The modes themselves are decided by `onex_scenario.plan_modes` (one function, one precedence: the
CLI's force > ONEX_FORCE_DEPENDENCY_MODE > the service's own `dependency_mode` > the scenario's >
mock); this resolver supplies the forces, plans the tools from that plan and builds them. The
audit record is written after the tools exist and names `type(tool)`, so a silent substitution
cannot hide behind the plan.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from onex_scenario import FORCE_ENV, DependencyModeEnum, ModePlan, ScenarioConfigModel, plan_modes

from onex_registry.errors import OnexToolError
from onex_registry.factories import BaseToolFactory, discover_factories, qualified_name
from onex_registry.models import (
    ModelRegistryResolutionContext,
    ModelToolAuditRecord,
    ModelToolResolution,
)
from onex_registry.registry import BaseOnexRegistry, parse_mode

__all__ = ["FORCE_ENV", "RegistryResolver"]


class RegistryResolver:
    """Plans modes and builds registries for scenarios."""

    def __init__(
        self,
        *,
        force_mode: str | DependencyModeEnum | None = None,
        environ: Mapping[str, str] | None = None,
        factories: Mapping[str, BaseToolFactory] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.force_mode = parse_mode(force_mode) if force_mode else None
        env_value = env.get(FORCE_ENV, "").strip()
        self.env_mode = parse_mode(env_value) if env_value else None
        self.factories = dict(factories) if factories is not None else discover_factories()

    def plan(self, scenario: ScenarioConfigModel) -> ModePlan:
        """The mode of every declared service, with this resolver's forces applied."""
        return plan_modes(scenario, cli=self.force_mode, env=self.env_mode)

    def tool_services(self, plan: ModePlan) -> list[str]:
        """Planned services that are backed by a tool (kafka, redis, postgres, user kinds)."""
        return [name for name, service in plan.services.items() if service.kind in self.factories]

    def real_tool_services(self, plan: ModePlan) -> list[str]:
        """The tool-backed services the plan runs real: the ones whose endpoints are needed."""
        return [n for n in self.tool_services(plan) if plan.mode(n) is DependencyModeEnum.REAL]

    def resolve(
        self,
        scenario: ScenarioConfigModel,
        *,
        plan: ModePlan | None = None,
        namespace: str,
        endpoints: Mapping[str, str] | None = None,
        mock_fallbacks: Mapping[str, str] | None = None,
    ) -> ModelRegistryResolutionContext:
        """Plan every tool from the mode plan. `mock_fallbacks` names optional (`required: false`)
        services that are down, with the reason; they run on their mock and the plan says so.
        Pass the `plan` already made for this run; without one, it is made here."""
        plan = plan if plan is not None else self.plan(scenario)
        endpoints = endpoints or {}
        fallbacks = dict(mock_fallbacks or {})
        for service in fallbacks:
            if scenario.external_services[service].required:
                raise OnexToolError(
                    f"service {service!r} is required; it cannot fall back to its mock"
                )
        plan = plan.with_unavailable(
            {s: why for s, why in fallbacks.items() if plan.mode(s) is DependencyModeEnum.REAL}
        )
        tools: dict[str, ModelToolResolution] = {}
        for service in self.tool_services(plan):
            decided = plan.services[service]
            factory = self.factories[decided.kind]
            real = decided.mode is DependencyModeEnum.REAL
            tools[service] = ModelToolResolution(
                service=service,
                kind=decided.kind,
                mode=decided.mode.value,
                mode_source=decided.reason.value,
                mode_detail=decided.detail,
                declared_mode=decided.declared.value,
                factory=qualified_name(type(factory)),
                tool_class=qualified_name(factory.planned_class(decided.mode)),
                endpoint=endpoints.get(service) if real else None,
                namespace=namespace,
            )
        return ModelRegistryResolutionContext(
            scenario=scenario.name,
            namespace=namespace,
            forced_mode=plan.forced.value if plan.forced is not None else None,
            registry_mode=plan.registry_mode.value,
            modes=plan,
            tools=tools,
        )

    def build(self, context: ModelRegistryResolutionContext) -> BaseOnexRegistry:
        """Instantiate the planned tools and audit what was actually built."""
        tools: dict[str, object] = {}
        audit: list[ModelToolAuditRecord] = []
        for service, plan in context.tools.items():
            factory = self.factories[plan.kind]
            mode = parse_mode(plan.mode)
            tool = factory.build(mode, endpoint=plan.endpoint, namespace=plan.namespace)
            tools[service] = tool
            audit.append(
                ModelToolAuditRecord(
                    service=service,
                    mode=plan.mode,
                    mode_source=plan.mode_source,
                    mode_detail=plan.mode_detail,
                    declared_mode=plan.declared_mode,
                    factory=plan.factory,
                    planned_class=plan.tool_class,
                    instantiated_class=qualified_name(type(tool)),
                    endpoint=plan.endpoint,
                    namespace=plan.namespace,
                )
            )
        return BaseOnexRegistry(context.registry_mode, tools=tools, audit=audit)
