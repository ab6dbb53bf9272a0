"""RegistryResolver: which mode every dependency runs in, which factory builds it, and proof.

Precedence, highest first: the CLI's force flag > ONEX_FORCE_DEPENDENCY_MODE > the service's own
`dependency_mode` > the scenario's > the default, mock. The audit record is written after the
tools exist and names `type(tool)`, so a silent substitution cannot hide behind the plan.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from onex_scenario import DependencyModeEnum, ScenarioConfigModel

from onex_registry.errors import OnexToolError
from onex_registry.factories import BaseToolFactory, discover_factories, qualified_name
from onex_registry.models import (
    ModelRegistryResolutionContext,
    ModelToolAuditRecord,
    ModelToolResolution,
)
from onex_registry.registry import BaseOnexRegistry, parse_mode

FORCE_ENV = "ONEX_FORCE_DEPENDENCY_MODE"


class RegistryResolver:
    """Resolves modes and builds registries for scenarios."""

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

    def mode_for(
        self, scenario: ScenarioConfigModel, service: str
    ) -> tuple[DependencyModeEnum, str]:
        """The mode of one declared service and the rule that decided it."""
        if self.force_mode is not None:
            return self.force_mode, "cli --force-dependency-mode"
        if self.env_mode is not None:
            return self.env_mode, f"env {FORCE_ENV}"
        own = scenario.external_services[service].dependency_mode
        if own is not None:
            return own, "service dependency_mode"
        if "dependency_mode" in scenario.model_fields_set:
            return scenario.dependency_mode, "scenario dependency_mode"
        return DependencyModeEnum.MOCK, "default"

    def tool_services(self, scenario: ScenarioConfigModel) -> list[str]:
        """Declared services that are backed by a tool (kafka, redis, postgres, user kinds)."""
        return [
            name
            for name, config in scenario.external_services.items()
            if str(config.kind) in self.factories
        ]

    def resolve(
        self,
        scenario: ScenarioConfigModel,
        *,
        namespace: str,
        endpoints: Mapping[str, str] | None = None,
        mock_fallbacks: Mapping[str, str] | None = None,
    ) -> ModelRegistryResolutionContext:
        """Plan every tool. `mock_fallbacks` names optional (`required: false`) services that are
        down, with the reason; they run on their mock and the plan says so."""
        endpoints = endpoints or {}
        fallbacks = mock_fallbacks or {}
        tools: dict[str, ModelToolResolution] = {}
        for service in self.tool_services(scenario):
            config = scenario.external_services[service]
            mode, source = self.mode_for(scenario, service)
            if mode is DependencyModeEnum.REAL and service in fallbacks:
                if config.required:
                    raise OnexToolError(
                        f"service {service!r} is required; it cannot fall back to its mock"
                    )
                mode, source = (
                    DependencyModeEnum.MOCK,
                    f"optional, unavailable: {fallbacks[service]}",
                )
            factory = self.factories[str(config.kind)]
            tools[service] = ModelToolResolution(
                service=service,
                kind=str(config.kind),
                mode=str(mode),
                mode_source=source,
                factory=qualified_name(type(factory)),
                tool_class=qualified_name(factory.planned_class(mode)),
                endpoint=endpoints.get(service) if mode is DependencyModeEnum.REAL else None,
                namespace=namespace,
            )
        return ModelRegistryResolutionContext(
            scenario=scenario.name,
            namespace=namespace,
            forced_mode=str(self.force_mode or self.env_mode or "") or None,
            tools=tools,
        )

    def build(
        self, context: ModelRegistryResolutionContext, scenario_mode: DependencyModeEnum
    ) -> BaseOnexRegistry:
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
                    factory=plan.factory,
                    planned_class=plan.tool_class,
                    instantiated_class=qualified_name(type(tool)),
                    endpoint=plan.endpoint,
                    namespace=plan.namespace,
                )
            )
        return BaseOnexRegistry(scenario_mode, tools=tools, audit=audit)
