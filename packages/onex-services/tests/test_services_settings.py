"""Resource and timeout settings read from the environment, with clear errors."""

from __future__ import annotations

import pytest
from onex_services.errors import ServiceError
from onex_services.kinds.kafka.settings import kafka_heap_max
from onex_services.manager import ToolServiceManager
from onex_services.settings import start_timeout_s

pytestmark = pytest.mark.unit


def test_defaults_apply_when_the_variables_are_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONEX_KAFKA_HEAP_MAX", raising=False)
    monkeypatch.delenv("ONEX_START_TIMEOUT_S", raising=False)
    assert kafka_heap_max() == "512m"
    assert start_timeout_s() == 60.0


@pytest.mark.parametrize(
    ("value", "expected"), [("256m", "256m"), (" 1G ", "1g"), ("128m", "128m")]
)
def test_a_heap_size_is_accepted_in_megabytes_or_gigabytes(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_HEAP_MAX", value)
    assert kafka_heap_max() == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("lots", "expected a size such as 256m"),
        ("512k", "expected a size"),
        ("64m", "at least 128m"),
    ],
)
def test_an_unusable_heap_size_names_the_variable_and_the_rule(
    monkeypatch: pytest.MonkeyPatch, value: str, reason: str
) -> None:
    monkeypatch.setenv("ONEX_KAFKA_HEAP_MAX", value)
    with pytest.raises(ServiceError, match="ONEX_KAFKA_HEAP_MAX") as info:
        kafka_heap_max()
    assert reason in str(info.value)


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan"])
def test_a_start_timeout_must_be_a_positive_number(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ONEX_START_TIMEOUT_S", value)
    with pytest.raises(ServiceError, match="ONEX_START_TIMEOUT_S"):
        start_timeout_s()


def test_the_manager_takes_its_start_timeout_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("ONEX_START_TIMEOUT_S", "45")
    monkeypatch.setenv("ONEX_STATE_DIR", str(tmp_path))
    assert ToolServiceManager()._start_timeout == 45.0
