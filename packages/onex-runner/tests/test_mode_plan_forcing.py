"""Every forcing path agrees: the tools built, the audit record, the markers and the tier.

For each combination of the scenario's mode, a service's own override, the CLI flag and
ONEX_FORCE_DEPENDENCY_MODE, the mode plan, the registry built from it, its audit record, the
pytest markers and the reported tier must all say the same. Runs that end on mocks only run in
full here; real runs build their tools without connecting (the integration tier runs them for
real, in test_real_mode_plan_forcing.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mode_matrix import CASES, FILE_CASES, Case, audit_view, expected_audit, run_case
from onex_registry import RegistryResolver
from onex_runner import RunOptions, ScenarioRunner
from onex_runner.scenario_items import markers_of
from onex_scenario import DependencyModeEnum, ScenarioConfigModel
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit
NODE = "nodes.counter:CounterNode"
# Real tools are built but never connected here; these addresses are never dialled.
UNUSED_ENDPOINTS = {"bus": "127.0.0.1:9", "cache": "redis://127.0.0.1:9/0"}


def _environ(case: Case) -> dict[str, str]:
    return {"ONEX_FORCE_DEPENDENCY_MODE": case.env} if case.env else {}


def _scenario(case: Case) -> ScenarioConfigModel:
    return ScenarioConfigModel.model_validate(case.document(NODE))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_plan_registry_audit_markers_and_tier_agree(case: Case) -> None:
    resolver = RegistryResolver(force_mode=case.flag, environ=_environ(case))
    scenario = _scenario(case)
    plan = resolver.plan(scenario)
    assert {n: s.mode.value for n, s in plan.services.items()} == case.modes
    assert {n: s.reason.value for n, s in plan.services.items()} == case.reasons
    assert {n: s.declared.value for n, s in plan.services.items()} == case.declared
    assert (plan.tier.value, plan.declared_tier.value) == (case.tier, case.declared_tier)
    assert set(markers_of(plan)) == case.markers

    endpoints = {n: UNUSED_ENDPOINTS[n] for n in resolver.real_tool_services(plan)}
    assert set(endpoints) == {n for n, m in case.modes.items() if m == "real"}
    registry = resolver.build(
        resolver.resolve(scenario, plan=plan, namespace="ns", endpoints=endpoints)
    )
    built = {n: type(tool).__name__ for n, tool in registry.tools.items()}
    assert built == case.classes
    assert registry.dependency_mode is DependencyModeEnum(case.registry_mode)
    audit = audit_view([record.model_dump() for record in registry.audit])
    assert audit == expected_audit(case)


MOCK_RUNS = [c for c in CASES if set(c.modes.values()) == {"mock"}]


@pytest.mark.parametrize("case", MOCK_RUNS, ids=lambda c: c.id)
async def test_a_run_on_mocks_reports_the_plan(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`onex run`'s path end to end on mocks (see `run_case`)."""
    await run_case(case, tmp_path, NODE, monkeypatch)


_MARKER_CONFTEST = """
import json

def pytest_collection_finish(session):
    for item in session.items:
        marks = sorted({m.name for m in item.iter_markers()})
        print("ONEX-ITEM " + json.dumps([item.name, marks]))
"""


@pytest.mark.parametrize(
    ("flag", "env"),
    # Each is a pytest process of its own (seconds on a slow machine): the flag, the env var, and
    # the flag beating the env var; the in-process matrix above covers every combination.
    [(None, None), ("mock", None), (None, "real"), ("mock", "real")],
)
def test_pytest_items_carry_the_plans_markers(
    flag: str | None, env: str | None, tmp_path: Path
) -> None:
    """The pytest plugin's path: collected YAML items are marked from the same plan."""
    for case in FILE_CASES:
        case.write(tmp_path, NODE)
    (tmp_path / "conftest.py").write_text(_MARKER_CONFTEST)
    environ = {k: v for k, v in os.environ.items() if k != "ONEX_FORCE_DEPENDENCY_MODE"}
    if env:
        environ["ONEX_FORCE_DEPENDENCY_MODE"] = env
    args = ["--collect-only", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    if flag:
        args += ["--force-dependency-mode", flag]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, str(tmp_path)],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    seen = dict(
        json.loads(line.removeprefix("ONEX-ITEM "))
        for line in done.stdout.splitlines()
        if line.startswith("ONEX-ITEM ")
    )
    want = {
        c.document(NODE)["name"]: Case(c.scenario_mode, c.override, flag, env).markers
        for c in FILE_CASES
    }
    assert {name: set(marks) for name, marks in seen.items()} == want


def test_an_invalid_env_force_is_a_usage_error_of_pytest(tmp_path: Path) -> None:
    Case(None, None, None, None).write(tmp_path, NODE)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "ONEX_FORCE_DEPENDENCY_MODE": "fake"},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 4, done.stdout + done.stderr
    assert "invalid dependency mode 'fake'" in done.stderr
    assert "Traceback" not in done.stderr


async def test_forced_mock_the_node_sees_mock_too() -> None:
    """The reported bug: forced to mock, three in-memory tools were built but the registry (and
    so the example node) still said `real`."""
    path = (
        Path(__file__).parents[3] / "scenarios/integration/scenario_order_summary_sync_method.yaml"
    )
    runner = ScenarioRunner(RunOptions(force_mode=DependencyModeEnum.MOCK))
    try:
        result = await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()
    assert result.outcome == "passed", result.message
    assert {t["mode"] for t in result.tools} == {"mock"}
    assert result.steps[0].output == {"node": "OrderPipelineNode", "mode": "mock"}
    assert result.tier_label == "unit (declared integration)"
