"""`onex run` prints values from scenarios and services as text, never as Rich markup."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from onex_runner.cli import run

pytestmark = pytest.mark.unit

KAFKA = {"kafka": {"kind": "kafka"}}
TOPICS = {"kafka": {"topics": [{"name": "in"}, {"name": "out"}]}}
HOSTILE = ["[/]", "[bold]x", ":x:", "\x1b[31mred"]


def hostile_scenario(write_scenario: Any) -> Path:
    """A published value full of markup, emoji codes and an ANSI escape fails an expectation,
    so the value lands in the failure message."""
    path: Path = write_scenario(
        "hostile",
        external_services=KAFKA,
        resources=TOPICS,
        steps=[
            {"id": "send", "publish": {"topic": "in", "key": "k", "value": {"v": HOSTILE}}},
            {"id": "fwd", "call": "forward"},
            {
                "id": "got",
                "expect_event": {
                    "topic": "out",
                    "within": "300ms",
                    "value": {"seen": {"v": "plain"}},
                },
            },
        ],
    )
    return path


def test_markup_in_a_failing_value_is_printed_literally_and_reports_are_written(
    write_scenario: Any, tmp_path: Path
) -> None:
    path = hostile_scenario(write_scenario)
    report, junit = tmp_path / "r.json", tmp_path / "j.xml"
    result = CliRunner().invoke(
        run, [str(path), "--json", str(report), "--junit", str(junit), "--snapshots", "-"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1, result.output
    assert "[/]" in result.output
    assert "[bold]x" in result.output
    assert ":x:" in result.output
    assert "❌" not in result.output
    assert "\x1b" not in result.output  # the escape is shown, not sent to the terminal
    data = json.loads(report.read_text())
    assert data["summary"]["failed"] == 1
    assert "[bold]x" in data["scenarios"][0]["message"]
    assert ET.parse(junit).getroot().get("failures") == "1"


def test_an_ansi_escape_in_a_message_is_shown_escaped(write_scenario: Any) -> None:
    path = write_scenario(
        "ansi", steps=[{"id": "x", "call": "fail_with", "kwargs": {"message": HOSTILE[3]}}]
    )
    result = CliRunner().invoke(run, [str(path), "--snapshots", "-"])
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.output
    assert "ValueError: \\x1b[31mred" in result.output


def test_repeat_lines_keep_their_run_number(write_scenario: Any) -> None:
    path = hostile_scenario(write_scenario)
    result = CliRunner().invoke(run, [str(path), "--repeat", "2", "--snapshots", "-"])
    assert result.exit_code == 1, result.output
    assert "hostile [run 1/2]" in result.output
    assert "hostile [run 2/2]" in result.output
