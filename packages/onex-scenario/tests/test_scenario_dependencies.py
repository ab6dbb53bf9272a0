"""`depends_on` between a scenario's services: an unknown target and a cycle (through a kind's
own edge too: Kafka Connect needs Kafka) are reported with file:line by `scenarios validate`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from onex_scenario.cli import main
from onex_scenario.dependencies import app_needs, find_cycle, kind_dependencies, service_needs
from onex_scenario.loader import ScenarioLoader
from onex_scenario.models import ScenarioConfigModel

from conftest import Tree

pytestmark = pytest.mark.unit

SERVICES = """
name: deps
tier: integration
dependency_mode: real
external_services:
  kafka: {kind: kafka}
  connect: {kind: connect}
  postgres:
    kind: postgres
    depends_on: [%s]
steps: []
"""


def _validate(tree: Tree, text: str) -> tuple[int, str]:
    path = tree.write("deps.yaml", text)
    result = CliRunner().invoke(main, ["scenarios", "validate", str(path)])
    return result.exit_code, result.output


def test_kind_edges_and_scenario_edges_make_one_graph_of_service_names() -> None:
    assert kind_dependencies()["connect"] == ("kafka",)
    scenario = ScenarioConfigModel.model_validate(
        {
            "name": "deps",
            "tier": "integration",
            "dependency_mode": "real",
            "external_services": {
                "bus": {"kind": "kafka"},
                "connect": {"kind": "connect"},
                "db": {"kind": "postgres", "depends_on": ["connect"]},
            },
        }
    )
    assert service_needs(scenario) == {"bus": [], "connect": ["bus"], "db": ["connect"]}


def test_an_unknown_depends_on_target_is_reported_with_its_line(tree: Tree) -> None:
    code, output = _validate(tree, SERVICES % "kafak")
    assert code == 1
    assert "deps.yaml:9:" in output
    assert "external_services.postgres.depends_on[0]: no external service 'kafak'" in output
    assert "did you mean 'kafka'?" in output


def test_a_cycle_through_a_kinds_own_edge_is_reported_with_the_chain(tree: Tree) -> None:
    text = (SERVICES % "connect").replace("{kind: kafka}", "{kind: kafka, depends_on: [postgres]}")
    code, output = _validate(tree, text)
    assert code == 1
    assert "deps.yaml:5:" in output
    assert "dependency cycle: kafka -> postgres -> connect -> kafka" in output


def test_a_service_cannot_depend_on_itself(tree: Tree) -> None:
    code, output = _validate(tree, SERVICES % "postgres")
    assert code == 1
    assert "'postgres' cannot depend on itself" in output


def test_find_cycle_names_the_ring() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None


APP = """
name: app_deps
tier: integration
dependency_mode: real
external_services:
  kafka: {kind: kafka}
  connect: {kind: connect}
  postgres: {kind: postgres}
app:
  command: [serve]
  env: {BOOTSTRAP: "${services.kafka.bootstrap_servers}"}
  depends_on: [%s]
steps: []
"""


def test_the_app_depends_on_the_services_it_names_and_those_it_declares(tree: Tree) -> None:
    path = tree.write("app.yaml", APP % "connect, kafka")
    scenario = ScenarioLoader().load(path).scenario
    assert app_needs(scenario) == ["kafka", "connect"]  # its env's first, no name twice
    code, output = _validate(tree, APP % "connect")
    assert code == 0, output


def test_an_app_depends_on_naming_no_service_is_reported_with_its_line(tree: Tree) -> None:
    code, output = _validate(tree, APP % "postgress")
    assert code == 1
    assert "deps.yaml:11:16:" in output  # the entry itself
    assert "app.depends_on[0]: no external service 'postgress'" in output
    assert "did you mean 'postgres'?" in output
