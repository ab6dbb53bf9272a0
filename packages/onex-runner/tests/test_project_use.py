"""`onex run` in a project of its own: [tool.onex], --bases, the shipped bases, plain folders."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from onex_runner.cli import run

pytestmark = pytest.mark.unit

NODE = """
class EchoNode:
    def __init__(self, registry):
        self.registry = registry

    def echo(self, text):
        return {"echo": text}
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def scenario(base: str, module: str) -> str:
    return f"""
    extends: base:{base}
    name: echo_{module}
    node: {module}:EchoNode
    steps:
      - {{id: say, call: echo, args: [hi]}}
    expect:
      - output: {{step: say, value: {{echo: hi}}}}
    """


def test_a_plain_folder_runs_with_the_shipped_bases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No pyproject.toml, no .git, no _bases/: the node imports from the folder onex runs in."""
    write(tmp_path, "plainnode.py", NODE)
    write(tmp_path, "scenarios/unit/scenario_echo.yaml", scenario("mock_only", "plainnode"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(run, ["--snapshots", "-"])
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed" in result.output


def test_tool_onex_sets_roots_bases_and_the_reports_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        """
        [project]
        name = "shop"
        version = "0"

        [tool.onex]
        scenario_roots = ["checks"]
        bases = ["checks/_shared"]
        reports = "out"
        """,
    )
    write(tmp_path, "src_node.py", NODE)
    write(tmp_path, "checks/_shared/quiet.yaml", "extends: base:mock_only\ntags: [ours]\n")
    write(tmp_path, "checks/unit/scenario_echo.yaml", scenario("quiet", "src_node"))
    (tmp_path / "checks" / "unit" / "deeper").mkdir()
    monkeypatch.chdir(tmp_path / "checks" / "unit" / "deeper")  # found from below the root
    result = CliRunner().invoke(run, [])
    assert result.exit_code == 0, result.output
    (line,) = (tmp_path / "out" / "snapshots.jsonl").read_text().splitlines()
    assert json.loads(line)["name"] == "echo_src_node"


def test_bases_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "echo_node.py", NODE)
    write(tmp_path, "elsewhere/loud.yaml", "extends: base:mock_only\n")
    path = write(tmp_path, "scenarios/unit/scenario_echo.yaml", scenario("loud", "echo_node"))
    monkeypatch.chdir(tmp_path)
    missing = CliRunner().invoke(run, [str(path), "--snapshots", "-"])
    assert missing.exit_code == 2
    assert "base 'loud' not found" in missing.output
    found = CliRunner().invoke(
        run, [str(path), "--bases", str(tmp_path / "elsewhere"), "--snapshots", "-"]
    )
    assert found.exit_code == 0, found.output


def test_no_scenario_folder_and_a_broken_table_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    empty = CliRunner().invoke(run, [])
    assert empty.exit_code == 2
    assert "no PATHS given and no scenario folder (scenarios)" in empty.output
    write(tmp_path, "pyproject.toml", "[tool.onex]\nreport = 'x'\n")
    broken = CliRunner().invoke(run, [])
    assert broken.exit_code == 2
    assert "pyproject.toml:2: [tool.onex].report: unknown key 'report'; did you mean" in (
        broken.output
    )


def test_the_pytest_plugin_reads_tool_onex(tmp_path: Path) -> None:
    """A project's own pytest run: its bases and reports folder, no conftest, no repository."""
    write(
        tmp_path,
        "pyproject.toml",
        """
        [tool.onex]
        bases = ["checks/_shared"]
        reports = "out"
        """,
    )
    write(tmp_path, "plugin_node.py", NODE)
    write(tmp_path, "checks/_shared/quiet.yaml", "extends: base:mock_only\n")
    write(tmp_path, "checks/unit/scenario_echo.yaml", scenario("quiet", "plugin_node"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "checks"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    (line,) = (tmp_path / "out" / "snapshots.jsonl").read_text().splitlines()
    assert json.loads(line)["name"] == "echo_plugin_node"


def test_a_profile_fills_the_environment_that_is_not_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONEX_TEST_GREETING", raising=False)  # restored after the test
    write(tmp_path, "pyproject.toml", '[tool.onex]\nprofiles = {ci = "ci.env"}\n')
    write(tmp_path, "ci.env", "ONEX_TEST_GREETING=hello\n")
    write(tmp_path, "greet_node.py", NODE)
    text = scenario("mock_only", "greet_node").replace(
        "args: [hi]", 'args: ["${ONEX_TEST_GREETING}"]'
    )
    write(
        tmp_path, "scenarios/unit/scenario_echo.yaml", text.replace("{echo: hi}", "{echo: hello}")
    )
    monkeypatch.chdir(tmp_path)
    unset = CliRunner().invoke(run, ["--snapshots", "-"])
    assert unset.exit_code == 2
    assert "ONEX_TEST_GREETING" in unset.output
    assert CliRunner().invoke(run, ["--profile", "ci", "--snapshots", "-"]).exit_code == 0
    monkeypatch.setenv("ONEX_TEST_GREETING", "hi")  # the environment wins over the profile
    overridden = CliRunner().invoke(run, ["--profile", "ci", "--snapshots", "-"])
    assert overridden.exit_code == 1
    unknown = CliRunner().invoke(run, ["--profile", "cd", "--snapshots", "-"])
    assert unknown.exit_code == 2
    assert "no profile 'cd' in [tool.onex] (known: ci)" in unknown.output
