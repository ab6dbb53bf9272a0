"""The `onex` root command, its plugin loading, and `onex scenarios ...`."""

from __future__ import annotations

import json
import re
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner, Result
from onex_scenario import __version__, plugins
from onex_scenario.cli import main
from onex_scenario.schema import render_scenario_json_schema

from conftest import DATA, SHIPPED_BASES, Tree

pytestmark = pytest.mark.unit

LINE = re.compile(r"^.+:\d+:\d+: \S.*: .+$")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _broken_tree(tree: Tree) -> None:
    tree.write("index.yaml", "scenarios:\n  - {id: good, path: unit/good.yaml, tier: unit}\n")
    tree.write("unit/good.yaml", "name: good\n")
    tree.write("unit/typo.yaml", "name: typo\nnodee: a.b:C\ncleanup_after: perhaps\n")
    tree.write("unit/syntax.yaml", "name: [\n")
    tree.write("unit/empty.yaml", "")


def test_version_and_help_list_the_scenarios_group() -> None:
    assert run("--version").output.strip() == f"onex, version {__version__}"
    result = run("--help")
    assert result.exit_code == 0
    assert "scenarios" in result.output


def test_validate_prints_one_line_per_problem_and_exits_1(tree: Tree) -> None:
    _broken_tree(tree)
    result = run("scenarios", "validate", str(tree.root))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    unit = tree.root / "unit"
    unlisted = f"(document): not listed in {tree.root / 'index.yaml'}; add an entry such as "
    assert lines == [
        f"{unit / 'empty.yaml'}:1:1: {unlisted}"
        "{id: empty, path: unit/empty.yaml, tier: ..., expected_result: pass}",
        f"{unit / 'empty.yaml'}:1:1: (document): the file is empty; "
        "expected a mapping of scenario keys",
        f"{unit / 'syntax.yaml'}:1:1: {unlisted}"
        "{id: syntax, path: unit/syntax.yaml, tier: ..., expected_result: pass}",
        f"{unit / 'syntax.yaml'}:2:1: (document): YAML syntax error: while parsing a flow node "
        "did not find expected node content",
        f"{unit / 'typo.yaml'}:1:1: {unlisted}"
        "{id: typo, path: unit/typo.yaml, tier: ..., expected_result: pass}",
        f"{unit / 'typo.yaml'}:2:1: nodee: unknown key 'nodee'; did you mean 'node'?",
        f"{unit / 'typo.yaml'}:3:16: cleanup_after: expected a valid boolean, unable to interpret "
        "input, got 'perhaps'",
    ]
    assert "4 scenario file(s) checked: 7 problem(s) in 3 file(s)" in result.stderr


def test_validate_without_the_index_check(tree: Tree) -> None:
    _broken_tree(tree)
    result = run("scenarios", "validate", "--no-index", str(tree.root / "unit" / "typo.yaml"))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2


def test_validate_valid_files_exits_0(tree: Tree) -> None:
    result = run("scenarios", "validate", "--bases", str(SHIPPED_BASES), str(DATA))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "2 scenario file(s) checked: all valid" in result.stderr


def test_validate_defaults_to_the_scenarios_folder(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree.root)
    result = run("scenarios", "validate")
    assert result.exit_code == 2
    assert "no PATHS given and no scenario folder (scenarios)" in result.stderr
    tree.write("scenarios/unit/a.yaml", "name: a\n")
    tree.write("scenarios/index.yaml", "scenarios: [{id: a, path: unit/a.yaml, tier: unit}]\n")
    assert run("scenarios", "validate").exit_code == 0


def test_validate_reads_scenario_roots_and_bases_from_tool_onex(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree.write(
        "pyproject.toml",
        """
        [tool.onex]
        scenario_roots = ["tests/scenarios"]
        bases = ["tests/shared"]
        """,
    )
    tree.write("tests/shared/ours.yaml", "description: from our bases\n")
    tree.write("tests/scenarios/unit/a.yaml", "extends: base:ours\nname: a\n")
    tree.write("tests/scenarios/unit/b.yaml", "extends: base:mock_only\nname: b\n")
    monkeypatch.chdir(tree.root / "tests")  # the settings are found from below the root too
    result = run("scenarios", "validate", "--no-index")
    assert result.exit_code == 0, result.output + result.stderr
    assert "2 scenario file(s) checked" in result.output
    listed = run("scenarios", "list", "--json")
    assert sorted(item["name"] for item in json.loads(listed.output)) == ["a", "b"]


def test_a_broken_tool_onex_table_is_a_usage_error(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = tree.write("pyproject.toml", '[tool.onex]\nbackend = "docker"\n')
    monkeypatch.chdir(tree.root)
    result = run("scenarios", "validate")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{pyproject.resolve()}:2: [tool.onex].backend: input should")


def test_usage_errors_exit_2(tree: Tree) -> None:
    assert run("scenarios", "validate", str(tree.root / "missing")).exit_code == 2
    assert run("scenarios", "validate", "--bogus").exit_code == 2
    tree.write("unit/a.yaml", "name: a\n")
    result = run("scenarios", "validate", str(tree.root), env={"ONEX_DB_PORT": "port"})
    assert result.exit_code == 2
    assert "<environment>: ONEX_DB_PORT: expected a valid integer" in result.stderr


def test_list_shows_valid_scenarios_and_reports_the_rest(tree: Tree) -> None:
    _broken_tree(tree)
    result = run("scenarios", "list", "--json", str(tree.root))
    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    assert row == {
        "name": "good",
        "tier": "unit",
        "dependency_mode": "mock",
        "services": {},
        "steps": 0,
        "tags": [],
        "path": str(tree.root / "unit" / "good.yaml"),
        "description": "",
    }
    assert "nodee: unknown key" in result.stderr


def test_list_table(tree: Tree) -> None:
    result = run("scenarios", "list", "--bases", str(SHIPPED_BASES), str(DATA))
    assert result.exit_code == 0
    assert "order_accepted" in result.stdout
    assert "kafka=real" in result.stdout


def test_show_prints_the_file_or_its_resolved_form(tree: Tree) -> None:
    raw = run("scenarios", "show", str(DATA / "unit" / "order_mock.yaml"))
    assert raw.exit_code == 0
    assert raw.stdout == (DATA / "unit" / "order_mock.yaml").read_text()
    resolved = run(
        "scenarios",
        "show",
        "order_mock",
        "--in",
        str(DATA),
        "--bases",
        str(SHIPPED_BASES),
        "--resolved",
    )
    assert resolved.exit_code == 0, resolved.output
    header, _, body = resolved.stdout.partition("\n")
    assert (
        header
        == f"# resolved: {DATA / 'unit' / 'order_mock.yaml'} <- {SHIPPED_BASES / 'mock_only.yaml'}"
    )
    data = yaml.safe_load(body)
    assert data["tier"] == "unit"
    assert set(data["external_services"]) == {"kafka", "postgres", "redis"}
    assert data["steps"][2] == {"id": "settle", "description": "", "wait": 0.5}
    assert "extends" not in data


def test_show_resolves_environment_and_overrides(tree: Tree) -> None:
    tree.write(
        "unit/a.yaml",
        "name: a\ndescription: ${WHO:-nobody}\nexternal_services: {db: {kind: postgres}}\n",
    )
    result = run(
        "scenarios",
        "show",
        "a",
        "--in",
        str(tree.root),
        "--resolved",
        env={"WHO": "me", "ONEX_DB_HOST": "h"},
    )
    data = yaml.safe_load(result.stdout)
    assert data["description"] == "me"
    assert data["external_services"]["db"]["connection"] == {"host": "h"}


def test_show_finds_index_ids_and_suggests_names(tree: Tree) -> None:
    tree.write("index.yaml", "scenarios: [{id: alias, path: unit/a.yaml, tier: unit}]\n")
    tree.write("unit/a.yaml", "name: the_name\n")
    assert run("scenarios", "show", "alias", "--in", str(tree.root)).stdout == "name: the_name\n"
    assert run("scenarios", "show", "the_name", "--in", str(tree.root)).exit_code == 0
    missing = run("scenarios", "show", "the_nme", "--in", str(tree.root))
    assert missing.exit_code == 2
    assert "no scenario named 'the_nme'" in missing.stderr
    assert "did you mean 'the_name'?" in missing.stderr


def test_show_resolved_of_an_invalid_scenario_exits_1(tree: Tree) -> None:
    path = tree.write("unit/a.yaml", "name: a\ncleanup_after: perhaps\n")
    result = run("scenarios", "show", str(path), "--resolved")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:2:16: cleanup_after:")


def test_schema_prints_or_writes_the_schema(tree: Tree) -> None:
    assert run("scenarios", "schema").stdout == render_scenario_json_schema()
    target = tree.root / "out" / "scenario.schema.json"
    assert run("scenarios", "schema", "-o", str(target)).exit_code == 0
    assert target.read_text() == render_scenario_json_schema()


# --- plugin loading -------------------------------------------------------------------------


@click.group()
def _demo() -> None:
    """A demo plugin group."""


@_demo.command()
def hello() -> None:
    click.echo("hello from the plugin")


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, *entries: tuple[str, str]) -> None:
    points = [EntryPoint(name, value, plugins.ENTRY_POINT_GROUP) for name, value in entries]
    monkeypatch.setattr(
        plugins, "entry_points", lambda group: [p for p in points if p.group == group]
    )


def test_plugins_are_loaded_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(monkeypatch, ("demo", f"{__name__}:_demo"))
    result = run("demo", "hello")
    assert result.exit_code == 0
    assert result.stdout == "hello from the plugin\n"


def test_a_broken_plugin_is_reported_without_breaking_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_entry_points(
        monkeypatch,
        ("demo", f"{__name__}:_demo"),
        ("broken", "onex_no_such_module_xyz:cli"),
        ("notcmd", "os.path:join"),
        ("twice", f"{__name__}:_demo"),
        ("twice", "elsewhere:cli"),
    )
    listing = run("--help")
    assert listing.exit_code == 0
    assert re.search(r"broken\s+\(unavailable; run it to see why\)", listing.output)
    assert run("demo", "hello").exit_code == 0
    broken = run("broken", "--anything")
    assert broken.exit_code == 1
    assert broken.stderr == (
        "Error: the 'broken' commands are unavailable: onex_no_such_module_xyz:cli (unknown "
        "distribution) failed to load: ModuleNotFoundError: "
        "No module named 'onex_no_such_module_xyz'\n"
    )
    assert "os.path:join (unknown distribution) is not a click command" in run("notcmd").stderr
    assert "registered more than once" in run("twice").stderr
    assert run("nothing-like-this").exit_code == 2


def test_plugins_are_imported_only_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []
    real_load = EntryPoint.load

    def spy(self: EntryPoint) -> object:
        loaded.append(self.name)
        return real_load(self)

    monkeypatch.setattr(EntryPoint, "load", spy)
    _fake_entry_points(monkeypatch, ("demo", f"{__name__}:_demo"), ("other", f"{__name__}:_demo"))
    group = main
    assert isinstance(group, plugins.PluginGroup)
    with click.Context(group) as ctx:
        assert group.list_commands(ctx) == ["demo", "other"]
        assert loaded == []
        assert group.get_command(ctx, "demo") is _demo
    assert loaded == ["demo"]


def test_the_installed_scenarios_plugin_is_registered() -> None:
    names = {entry.name for entry in entry_points(group=plugins.ENTRY_POINT_GROUP)}
    assert "scenarios" in names


def test_resolved_output_is_valid_input(tree: Tree, tmp_path: Path) -> None:
    result = run(
        "scenarios",
        "show",
        str(DATA / "mixed" / "order_accepted.yaml"),
        "--bases",
        str(SHIPPED_BASES),
        "--resolved",
    )
    copy = tmp_path / "mixed" / "copy.yaml"
    copy.parent.mkdir()
    copy.write_text(result.stdout)
    # The copy names the SQL files of the test data by absolute path: outside its own folder.
    again = run("scenarios", "show", str(copy), "--resolved", env={"ONEX_ALLOWED_PATHS": str(DATA)})
    assert again.exit_code == 0, again.output
    assert again.stdout.partition("\n")[2] == result.stdout.partition("\n")[2]
