"""The forcing matrix shared by the unit and integration tests of the mode plan.

A case is (scenario mode, the cache's own override, the CLI flag, the env var). The scenario has
two services: `bus` (kafka) follows the scenario's mode, `cache` (redis) may override it. The
expected answer is written out here from the documented precedence, independently of the code.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from onex_runner import ModelScenarioResult, RunOptions, ScenarioRunner
from onex_scenario import DependencyModeEnum
from onex_scenario.loader import ScenarioLoader

MODES = (None, "mock", "real")


@dataclass(frozen=True)
class Case:
    scenario_mode: str | None
    override: str | None
    flag: str | None
    env: str | None

    @property
    def id(self) -> str:
        return "-".join(
            f"{label}={value or 'unset'}"
            for label, value in (
                ("scenario", self.scenario_mode),
                ("cache", self.override),
                ("flag", self.flag),
                ("env", self.env),
            )
        )

    @property
    def declared(self) -> dict[str, str]:
        bus = self.scenario_mode or "mock"
        return {"bus": bus, "cache": self.override or bus}

    @property
    def declared_tier(self) -> str:
        modes = set(self.declared.values())
        return "mixed" if len(modes) == 2 else "integration" if modes == {"real"} else "unit"

    @property
    def forced(self) -> str | None:
        return self.flag or self.env

    @property
    def modes(self) -> dict[str, str]:
        return {name: self.forced or mode for name, mode in self.declared.items()}

    @property
    def reasons(self) -> dict[str, str]:
        if self.flag:
            return {"bus": "cli", "cache": "cli"}
        if self.env:
            return {"bus": "env", "cache": "env"}
        bus = "scenario" if self.scenario_mode else "default"
        return {"bus": bus, "cache": "service" if self.override else bus}

    @property
    def registry_mode(self) -> str:
        return self.forced or self.scenario_mode or "mock"

    @property
    def tier(self) -> str:
        if self.forced == "mock":
            return "unit"
        if self.forced == "real":
            return "integration"
        return self.declared_tier

    @property
    def markers(self) -> set[str]:
        kinds = {"bus": "kafka", "cache": "redis"}
        real = {f"requires_{kinds[n]}" for n, mode in self.modes.items() if mode == "real"}
        return {self.tier, *real}

    @property
    def classes(self) -> dict[str, str]:
        real = {"bus": "KafkaEventBus", "cache": "RedisKeyValueStore"}
        mock = {"bus": "InMemoryEventBus", "cache": "InMemoryKeyValueStore"}
        return {n: (real if m == "real" else mock)[n] for n, m in self.modes.items()}

    def document(self, node: str) -> dict[str, Any]:
        cache: dict[str, Any] = {"kind": "redis"}
        if self.override:
            cache["dependency_mode"] = self.override
        document: dict[str, Any] = {
            "name": self.id.replace("-", "_").replace("=", "_"),
            "tier": self.declared_tier,
            "node": node,
            "external_services": {"bus": {"kind": "kafka"}, "cache": cache},
            "steps": [{"id": "b", "call": "bump"}],
        }
        if self.scenario_mode:
            document["dependency_mode"] = self.scenario_mode
        return document

    def write(self, root: Path, node: str) -> Path:
        folder = root / self.declared_tier
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"scenario_{self.document(node)['name']}.yaml"
        path.write_text(yaml.safe_dump(self.document(node), sort_keys=False))
        return path


CASES = [Case(*values) for values in itertools.product(MODES, MODES, MODES, MODES)]
FILE_CASES = [c for c in CASES if c.flag is None and c.env is None]
"""One file per (scenario mode, override): the flag and the env var belong to the run."""


def audit_view(tools: list[dict[str, Any]]) -> dict[str, tuple[str, str, str]]:
    """service -> (mode, reason, short class name) from audit records."""
    return {
        t["service"]: (t["mode"], t["mode_source"], t["instantiated_class"].rsplit(".", 1)[-1])
        for t in tools
    }


def expected_audit(case: Case) -> dict[str, tuple[str, str, str]]:
    return {n: (case.modes[n], case.reasons[n], case.classes[n]) for n in ("bus", "cache")}


async def run_case(
    case: Case, root: Path, node: str, monkeypatch: pytest.MonkeyPatch
) -> ModelScenarioResult:
    """`onex run`'s path (ScenarioRunner) end to end, flag and env var set as a user sets them;
    asserts that the result's audit, tier and registry mode are the case's."""
    monkeypatch.delenv("ONEX_FORCE_DEPENDENCY_MODE", raising=False)
    if case.env:
        monkeypatch.setenv("ONEX_FORCE_DEPENDENCY_MODE", case.env)
    path = case.write(root, node)
    flag = DependencyModeEnum(case.flag) if case.flag else None
    runner = ScenarioRunner(RunOptions(force_mode=flag))
    try:
        result = await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()
    assert result.outcome == "passed", result.message
    assert audit_view(result.tools) == expected_audit(case)
    assert (result.tier, result.declared_tier) == (case.tier, case.declared_tier)
    assert result.modes["registry_mode"] == case.registry_mode
    if case.tier != case.declared_tier:
        assert result.tier_label == f"{case.tier} (declared {case.declared_tier})"
    return result
