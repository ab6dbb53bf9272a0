"""The `onex services` commands: clear messages and exit codes on bad input or no services."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from onex_services.catalog import kind_specs
from onex_services.cli import services

pytestmark = pytest.mark.unit


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ONEX_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("ONEX_RUN_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("ONEX_DISCOVER", "0")
    for variable in ("ONEX_KAFKA_BOOTSTRAP_SERVERS", "ONEX_DB_URL", "ONEX_REDIS_URL"):
        monkeypatch.delenv(variable, raising=False)
    return CliRunner()


def test_status_with_nothing_running_says_how_to_start(runner: CliRunner) -> None:
    result = runner.invoke(services, ["status"])
    assert result.exit_code == 0
    assert "onex services start" in result.output


def test_status_json_with_nothing_running_is_an_empty_list(runner: CliRunner) -> None:
    result = runner.invoke(services, ["status", "--json"])
    assert (result.exit_code, result.output.strip()) == (0, "[]")


def test_health_with_nothing_running_fails(runner: CliRunner) -> None:
    result = runner.invoke(services, ["health"])
    assert result.exit_code == 3
    assert "no services are running" in result.output


def test_an_unknown_service_is_one_line_and_exit_1(runner: CliRunner) -> None:
    result = runner.invoke(services, ["start", "mongo"])
    assert result.exit_code == 1
    assert "unknown service 'mongo'" in result.output
    assert "Traceback" not in result.output


def test_a_bad_endpoint_variable_is_named(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONEX_REDIS_URL", "localhost:6379")
    result = runner.invoke(services, ["status"])
    assert result.exit_code == 1
    assert "ONEX_REDIS_URL" in result.output


def test_logs_of_a_service_not_started_by_the_harness(runner: CliRunner) -> None:
    result = runner.invoke(services, ["logs", "redis"])
    assert result.exit_code == 1
    assert "no log for redis" in result.output


def test_logs_of_a_dependant_are_its_own_not_its_dependencys(runner: CliRunner) -> None:
    dependants = [kind for kind, spec in kind_specs().items() if spec.depends_on]
    if not dependants:
        pytest.skip("no registered kind depends on another")
    for kind in dependants:
        result = runner.invoke(services, ["logs", kind])
        assert result.exit_code == 1
        assert f"no log for {kind}" in result.output


def test_stop_with_nothing_running(runner: CliRunner) -> None:
    result = runner.invoke(services, ["stop"])
    assert (result.exit_code, result.output.strip()) == (0, "no stack is running")
