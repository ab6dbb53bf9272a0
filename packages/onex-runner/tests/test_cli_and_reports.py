"""`onex run`: exit codes, reports and snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from onex_runner.cli import run

pytestmark = pytest.mark.unit


def invoke(*args: str) -> Any:
    return CliRunner().invoke(run, [*args, "--snapshots", "-"])


def test_all_passed_exits_zero_and_writes_reports(write_scenario: Any, tmp_path: Path) -> None:
    path = write_scenario("ok", steps=[{"id": "b", "call": "bump"}])
    out = tmp_path / "out"
    result = invoke(str(path), "--junit", str(out / "j.xml"), "--json", str(out / "r.json"),
                    "--html", str(out / "r.html"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed" in result.output
    suite = ET.parse(out / "j.xml").getroot()
    assert suite.get("tests") == "1"
    assert suite.get("failures") == "0"
    data = json.loads((out / "r.json").read_text())
    assert data["summary"]["passed"] == 1
    assert "onex-events" in (out / "r.html").read_text()
    assert (out / "events.jsonl").is_file()  # the stream the report was drawn from
    assert (out / "history.sqlite").is_file()


def test_a_failure_exits_one(write_scenario: Any) -> None:
    path = write_scenario(
        "bad", steps=[{"id": "b", "call": "bump"}],
        expect=[{"output": {"step": "b", "value": {"count": 2}}}],
    )  # fmt: skip
    result = invoke(str(path))
    assert result.exit_code == 1
    assert "0 passed, 1 failed" in result.output


def test_a_broken_file_exits_two_with_its_position(tmp_path: Path) -> None:
    broken = tmp_path / "unit" / "scenario_broken.yaml"
    broken.parent.mkdir()
    broken.write_text("name: broken\nstepz: []\n")
    result = invoke(str(broken))
    assert result.exit_code == 2
    assert "scenario_broken.yaml:2:1" in result.output
    assert "did you mean 'steps'" in result.output
    assert "Traceback" not in result.output


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_golden_snapshots_catch_a_changed_output(write_scenario: Any) -> None:
    path = write_scenario("golden", steps=[{"id": "b", "call": "bump"}])
    assert invoke(str(path), "--update-snapshots").exit_code == 0
    golden = next((path.parent / "__snapshots__").glob("golden.*.json"))
    assert invoke(str(path)).exit_code == 0
    golden.write_text(golden.read_text().replace('"count": 1', '"count": 7'))
    result = invoke(str(path))
    assert result.exit_code == 1
    assert "differs" in result.output


def test_repeat_runs_each_scenario_in_a_namespace_of_its_own(
    write_scenario: Any, tmp_path: Path
) -> None:
    path = write_scenario("again", steps=[{"id": "b", "call": "bump"}])
    report = tmp_path / "r.json"
    result = invoke(str(path), "--repeat", "3", "-n", "2", "--json", str(report))
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output
    scenarios = json.loads(report.read_text())["scenarios"]
    assert sorted(s["name"] for s in scenarios) == [f"again [run {k}/3]" for k in (1, 2, 3)]
    assert len({s["namespace"] for s in scenarios}) == 3
    assert "flaky" not in result.output


def test_repeat_names_a_scenario_that_ends_differently(write_scenario: Any) -> None:
    path = write_scenario(
        "wobbly", node="nodes.counter:FlakyNode", steps=[{"id": "o", "call": "once"}],
        expect=[{"output": {"step": "o", "value": {"even": False}}}],
    )  # fmt: skip
    result = invoke(str(path), "--repeat", "2")
    assert result.exit_code == 1
    assert "1 passed, 1 failed" in result.output
    assert "flaky: wobbly ended differently across 2 runs" in result.output


def test_repeat_and_compare_modes_are_refused_together(write_scenario: Any) -> None:
    path = write_scenario("both", steps=[{"id": "b", "call": "bump"}])
    result = invoke(str(path), "--repeat", "2", "--compare-modes")
    assert result.exit_code == 2
    assert "cannot be combined" in result.output


def test_a_schema_outside_the_project_is_refused_and_never_echoed(
    write_scenario: Any, tmp_path: Path
) -> None:
    secret = tmp_path.parent / f"{tmp_path.name}-outside" / "secret.sql"
    secret.parent.mkdir()
    secret.write_text("TOP-SECRET-CONTENT;\n")
    path = write_scenario("escape", resources={"postgres": {"schema": str(secret)}})
    report = tmp_path / "r.json"
    result = invoke(str(path), "--json", str(report))
    assert result.exit_code == 2, result.output
    assert "resources.postgres.schema" in result.output
    assert "is outside the project" in result.output
    assert "TOP-SECRET-CONTENT" not in result.output
    assert not report.exists()  # nothing ran
    allowed = invoke(str(path), "--allow-path", str(secret.parent))
    assert "is outside the project" not in allowed.output


def test_metadata_is_copied_into_snapshots_and_reports(write_scenario: Any, tmp_path: Path) -> None:
    metadata = {"owner": "team-orders", "ticket": "ORD-17", "api_token": "tok-hidden"}
    path = write_scenario("meta", steps=[{"id": "b", "call": "bump"}], metadata=metadata)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        run,
        [str(path), "--json", str(out / "r.json"), "--junit", str(out / "j.xml"),
         "--html", str(out / "r.html"), "--snapshots", str(out / "s.jsonl")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    expected = {"owner": "team-orders", "ticket": "ORD-17", "api_token": "***"}
    assert json.loads((out / "r.json").read_text())["scenarios"][0]["metadata"] == expected
    assert json.loads((out / "s.jsonl").read_text())["metadata"] == expected
    case = ET.parse(out / "j.xml").getroot().find("testcase")
    assert case is not None
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties == {"metadata.owner": "team-orders", "metadata.ticket": "ORD-17",
                          "metadata.api_token": "***"}  # fmt: skip
    page = (out / "r.html").read_text()
    assert "team-orders" in page
    assert "tok-hidden" not in page
