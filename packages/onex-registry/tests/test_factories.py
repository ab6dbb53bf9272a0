"""Tool factories: the built-ins, and users' own through the `onex.tool_factories` entry points."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

import pytest
from onex_registry import InMemoryEventBus, KafkaEventBus, OnexToolError
from onex_registry import factories as factories_module
from onex_registry.factories import (
    ENTRY_POINT_GROUP,
    BaseToolFactory,
    EventBusToolFactory,
    discover_factories,
)
from onex_scenario import DependencyModeEnum

pytestmark = pytest.mark.unit


class RecordingBus(InMemoryEventBus):
    """A user's own mock event bus."""


class RecordingBusFactory(BaseToolFactory):
    kind = "kafka"
    real_class = KafkaEventBus
    mock_class = RecordingBus


class NotAFactory:
    pass


def _entry_points(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    installed = list(entry_points(group=ENTRY_POINT_GROUP))
    found = [
        *installed,
        EntryPoint(name="kafka", value=f"{__name__}:{target}", group=ENTRY_POINT_GROUP),
    ]
    monkeypatch.setattr(
        factories_module,
        "entry_points",
        lambda group: found if group == ENTRY_POINT_GROUP else [],
    )


def test_the_builtin_factories_build_the_declared_classes() -> None:
    factory = EventBusToolFactory()
    built = factory.build(DependencyModeEnum.MOCK, endpoint=None, namespace="ns")
    assert type(built) is InMemoryEventBus
    assert factory.planned_class(DependencyModeEnum.REAL) is KafkaEventBus


def test_real_mode_without_an_endpoint_is_an_error_not_a_mock() -> None:
    with pytest.raises(OnexToolError, match="real mode needs an endpoint"):
        EventBusToolFactory().build(DependencyModeEnum.REAL, endpoint=None, namespace="ns")


def test_an_entry_point_replaces_the_builtin_factory_of_its_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _entry_points(monkeypatch, "RecordingBusFactory")
    factory = discover_factories()["kafka"]
    built = factory.build(DependencyModeEnum.MOCK, endpoint=None, namespace="ns")
    assert type(built) is RecordingBus
    assert {"kafka", "redis", "postgres"} <= set(discover_factories())


def test_an_entry_point_that_is_not_a_factory_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _entry_points(monkeypatch, "NotAFactory")
    with pytest.raises(OnexToolError, match="is not a BaseToolFactory subclass"):
        discover_factories()
