"""Tools built outside a registry are flagged; nodes can insist on a registry."""

from __future__ import annotations

import pytest
from onex_registry import (
    BaseOnexRegistry,
    InMemoryEventBus,
    RegistryRequiredError,
    building_tools,
    requires_registry,
)

pytestmark = pytest.mark.unit


def test_direct_instantiation_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEX_STRICT_REGISTRY", raising=False)
    with pytest.warns(RuntimeWarning, match="outside a registry"):
        InMemoryEventBus("ns")


def test_direct_instantiation_is_an_error_in_strict_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEX_STRICT_REGISTRY", "1")
    with pytest.raises(RegistryRequiredError):
        InMemoryEventBus("ns")


def test_registry_construction_is_silent(recwarn: pytest.WarningsRecorder) -> None:
    with building_tools():
        InMemoryEventBus("ns")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_requires_registry_refuses_anything_else() -> None:
    @requires_registry
    class Node:
        def __init__(self, registry: BaseOnexRegistry) -> None:
            self.registry = registry

    assert Node(BaseOnexRegistry("mock")).registry.dependency_mode == "mock"
    with pytest.raises(TypeError, match="requires a BaseOnexRegistry"):
        Node(object())  # type: ignore[arg-type]


def test_registry_hands_out_tools_by_protocol() -> None:
    with building_tools():
        bus = InMemoryEventBus("ns")
    registry = BaseOnexRegistry("mock", tools={"kafka": bus})
    assert registry.event_bus is bus
    with pytest.raises(Exception, match="key-value store"):
        _ = registry.kv_store
