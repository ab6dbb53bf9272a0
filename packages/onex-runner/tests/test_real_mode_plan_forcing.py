"""The forcing paths that end on real services, against the stack the tier started.

The unit tier checks every combination's plan, markers and classes without connecting; here the
combinations with a real dependency run for real through `onex run`'s path, a pytest YAML item and
the `onex_registry` fixture, with the flag and with ONEX_FORCE_DEPENDENCY_MODE.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mode_matrix import FILE_CASES, Case, run_case
from onex_runner import PreConditionStatusEnum

pytestmark = pytest.mark.integration
NODE = "nodes.counter:CounterNode"
REAL_RUNS = [
    *(Case(c.scenario_mode, c.override, "real", None) for c in FILE_CASES),
    *(Case(c.scenario_mode, c.override, None, "real") for c in FILE_CASES[:3]),
    *(c for c in FILE_CASES if "real" in c.modes.values()),
]


@pytest.mark.parametrize("case", REAL_RUNS, ids=lambda c: c.id)
async def test_a_run_with_real_services_reports_the_plan(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await run_case(case, tmp_path, NODE, monkeypatch)
    real = sorted(n for n, m in case.modes.items() if m == "real")
    health = {s.service: s.status for s in result.preconditions.services}
    assert health == dict.fromkeys(real, PreConditionStatusEnum.HEALTHY)


def _pytest(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "ONEX_FORCE_DEPENDENCY_MODE"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         "-o", "asyncio_mode=auto", *args, str(tmp_path)],
        cwd=tmp_path,
        env={**environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--force-dependency-mode", "real"), {}), ((), {"ONEX_FORCE_DEPENDENCY_MODE": "real"})],
    ids=["flag", "env"],
)
def test_a_unit_yaml_item_forced_real_runs_real(
    args: tuple[str, ...], env: dict[str, str], tmp_path: Path
) -> None:
    Case(None, None, None, None).write(tmp_path, NODE)
    # The node is imported from the project root above the scenario (its pyproject.toml).
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "nodes").symlink_to(Path(__file__).parent / "nodes")
    done = _pytest(tmp_path, "-m", "integration and requires_kafka", *args, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    [record] = [json.loads(line) for line in (tmp_path / "reports" / "snapshots.jsonl").open()]
    assert {t["service"]: t["mode"] for t in record["tools"]} == {"bus": "real", "cache": "real"}
    assert (record["tier"], record["declared_tier"]) == ("integration", "unit")


_FIXTURE_TEST = """
from onex_registry import KafkaEventBus, PostgresSqlStore, RedisKeyValueStore


async def test_real_tools(onex_registry, onex_mode_plan):
    tools = {name: type(tool) for name, tool in onex_registry.tools.items()}
    builtin = {"kafka": KafkaEventBus, "postgres": PostgresSqlStore, "redis": RedisKeyValueStore}
    # One tool per registered kind a factory serves: the test-only echo kind is one more.
    assert {name: tools[name] for name in builtin} == builtin
    assert {r.mode for r in onex_registry.audit} == {"real"}
    assert {r.mode_source for r in onex_registry.audit} == {"REASON"}
    assert str(onex_registry.dependency_mode) == "real"
    assert onex_mode_plan.tier_label == "integration (declared unit)"
    await onex_registry.kv_store.set("k", "v")
    assert await onex_registry.kv_store.get("k") == "v"
"""


@pytest.mark.parametrize(
    ("args", "env", "reason"),
    [
        (("--force-dependency-mode", "real"), {}, "cli"),
        ((), {"ONEX_FORCE_DEPENDENCY_MODE": "real"}, "env"),
    ],
    ids=["flag", "env"],
)
def test_the_fixture_forced_real_gets_real_services(
    args: tuple[str, ...], env: dict[str, str], reason: str, tmp_path: Path
) -> None:
    (tmp_path / "test_fixture.py").write_text(_FIXTURE_TEST.replace("REASON", reason))
    # No conftest: the real_* fixtures the registry fixture asks for come with the pytest11 plugin.
    done = _pytest(tmp_path, *args, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
