"""RegistryResolver: mode precedence, invalid modes, optional fallbacks and the audit record."""

from __future__ import annotations

import pytest
from onex_registry import (
    InMemoryEventBus,
    InMemoryKeyValueStore,
    InvalidDependencyModeError,
    KafkaEventBus,
    OnexToolError,
    RegistryResolver,
)
from onex_scenario import DependencyModeEnum, ScenarioConfigModel

pytestmark = pytest.mark.unit


def scenario(**fields: object) -> ScenarioConfigModel:
    base: dict[str, object] = {
        "name": "s",
        "tier": "mixed",
        "dependency_mode": "real",
        "external_services": {
            "kafka": {"kind": "kafka"},
            "cache": {"kind": "redis", "dependency_mode": "mock"},
        },
    }
    base.update(fields)
    return ScenarioConfigModel.model_validate(base)


def modes(resolver: RegistryResolver, s: ScenarioConfigModel) -> dict[str, tuple[str, str]]:
    plan = resolver.resolve(s, namespace="ns", endpoints={"kafka": "127.0.0.1:1"})
    return {name: (t.mode, t.mode_source) for name, t in plan.tools.items()}


def test_per_service_mode_beats_the_scenario_mode() -> None:
    got = modes(RegistryResolver(environ={}), scenario())
    assert got == {
        "kafka": ("real", "scenario"),
        "cache": ("mock", "service"),
    }


def test_env_force_beats_per_service_and_scenario() -> None:
    resolver = RegistryResolver(environ={"ONEX_FORCE_DEPENDENCY_MODE": "mock"})
    assert {m for m, _ in modes(resolver, scenario()).values()} == {"mock"}


def test_cli_force_beats_env() -> None:
    resolver = RegistryResolver(force_mode="real", environ={"ONEX_FORCE_DEPENDENCY_MODE": "mock"})
    got = modes(resolver, scenario())
    assert got["cache"] == ("real", "cli")


def test_default_is_mock_when_nothing_says_otherwise() -> None:
    s = ScenarioConfigModel.model_validate(
        {"name": "s", "tier": "unit", "external_services": {"kafka": {"kind": "kafka"}}}
    )
    assert modes(RegistryResolver(environ={}), s) == {"kafka": ("mock", "default")}


@pytest.mark.parametrize("bad", ["fake", "REAL-ish", "1"])
def test_an_invalid_mode_is_a_clear_error(bad: str) -> None:
    with pytest.raises(InvalidDependencyModeError, match="expected 'real' or 'mock'"):
        RegistryResolver(force_mode=bad, environ={})
    with pytest.raises(InvalidDependencyModeError):
        RegistryResolver(environ={"ONEX_FORCE_DEPENDENCY_MODE": bad})


def test_the_audit_names_the_classes_actually_built() -> None:
    resolver = RegistryResolver(environ={})
    s = scenario()
    plan = resolver.resolve(s, namespace="ns", endpoints={"kafka": "127.0.0.1:9"})
    registry = resolver.build(plan)
    audit = {record.service: record for record in registry.audit}
    assert isinstance(registry.tools["kafka"], KafkaEventBus)
    assert isinstance(registry.tools["cache"], InMemoryKeyValueStore)
    assert audit["kafka"].instantiated_class.endswith("KafkaEventBus")
    assert audit["cache"].instantiated_class.endswith("InMemoryKeyValueStore")
    assert audit["kafka"].planned_class == audit["kafka"].instantiated_class


def test_real_mode_without_an_endpoint_fails_instead_of_using_memory() -> None:
    resolver = RegistryResolver(environ={})
    plan = resolver.resolve(scenario(), namespace="ns", endpoints={})
    with pytest.raises(OnexToolError, match="needs an endpoint"):
        resolver.build(plan)


def test_an_optional_service_that_is_down_runs_on_its_mock_and_says_so() -> None:
    s = scenario(
        tier="integration", external_services={"kafka": {"kind": "kafka", "required": False}}
    )
    resolver = RegistryResolver(environ={})
    plan = resolver.resolve(s, namespace="ns", mock_fallbacks={"kafka": "connection refused"})
    assert plan.tools["kafka"].mode == "mock"
    assert plan.tools["kafka"].mode_source == "unavailable"
    assert "connection refused" in plan.tools["kafka"].mode_detail
    assert plan.modes.mode("kafka") is DependencyModeEnum.MOCK
    registry = resolver.build(plan)
    assert isinstance(registry.tools["kafka"], InMemoryEventBus)


def test_a_required_service_never_falls_back() -> None:
    resolver = RegistryResolver(environ={})
    with pytest.raises(OnexToolError, match="required"):
        resolver.resolve(scenario(), namespace="ns", mock_fallbacks={"kafka": "down"})
