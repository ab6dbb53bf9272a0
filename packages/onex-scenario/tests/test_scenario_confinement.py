"""Resource files are confined to the project, the scenario roots and the allowed folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_scenario import ScenarioValidationError
from onex_scenario.loader import ScenarioLoader

from conftest import Tree

pytestmark = pytest.mark.unit

PASSWD = Path("/etc/passwd")


def outside(tmp_path: Path) -> Path:
    """A SQL file next to the project, not inside it."""
    secret = tmp_path / "elsewhere" / "secret.sql"
    secret.parent.mkdir()
    secret.write_text("-- TOP-SECRET-CONTENT\ncreate table t (id int);\n")
    return secret


def project(tmp_path: Path, pyproject: str = "[project]\nname = 'p'\n") -> Tree:
    tree = Tree(tmp_path / "project")
    tree.write("pyproject.toml", pyproject)
    tree.write("scenarios/sql/ok.sql", "create table t (id int);\n")
    return tree


def load_issues(tree: Tree, relative: str, **options: object) -> list[str]:
    loader = ScenarioLoader(environ={}, **options)  # type: ignore[arg-type]
    with pytest.raises(ScenarioValidationError) as caught:
        loader.load(tree.root / relative)
    return [str(issue) for issue in caught.value.issues]


def test_a_relative_escape_is_an_error_at_its_line_and_never_shows_the_file(
    tmp_path: Path,
) -> None:
    tree = project(tmp_path)
    escape = "../" * 12 + "etc/passwd"
    path = tree.write(
        "scenarios/unit/x.yaml", f"name: x\nresources:\n  postgres:\n    schema: {escape}\n"
    )
    [issue] = load_issues(tree, "scenarios/unit/x.yaml")
    assert issue.startswith(f"{path}:4:13: resources.postgres.schema: /etc/passwd is outside")
    assert "root:" not in issue  # the first line of /etc/passwd


def test_an_absolute_path_and_a_symlink_out_are_refused(tmp_path: Path) -> None:
    tree = project(tmp_path)
    secret = outside(tmp_path)
    (tree.root / "scenarios" / "sql" / "link.sql").symlink_to(secret)
    tree.write(
        "scenarios/unit/x.yaml",
        f"name: x\nresources:\n  postgres:\n    schema: {secret}\n    seed: [../sql/link.sql]\n",
    )
    issues = load_issues(tree, "scenarios/unit/x.yaml")
    assert [i.split(": ")[1] for i in issues] == [
        "resources.postgres.schema", "resources.postgres.seed[0]",
    ]  # fmt: skip
    assert all("is outside the project" in i for i in issues)
    assert not any("TOP-SECRET-CONTENT" in i for i in issues)


def test_inside_the_project_is_fine(tmp_path: Path) -> None:
    tree = project(tmp_path)
    tree.write("scenarios/unit/x.yaml", "name: x\nresources: {postgres: {schema: ../sql/ok.sql}}\n")
    loaded = ScenarioLoader(environ={}).load(tree.root / "scenarios/unit/x.yaml")
    assert loaded.scenario.resources.postgres.schema_file == str(tree.root / "scenarios/sql/ok.sql")


def test_allowed_folders_from_the_caller_and_from_tool_onex(tmp_path: Path) -> None:
    secret = outside(tmp_path)
    text = f"name: x\nresources: {{postgres: {{schema: {secret}}}}}\n"
    plain = project(tmp_path)
    plain.write("scenarios/unit/x.yaml", text)
    loader = ScenarioLoader(environ={}, allowed_paths=[secret.parent])
    assert loader.load(plain.root / "scenarios/unit/x.yaml").scenario.name == "x"

    configured = project(tmp_path / "b", '[tool.onex]\nallowed_paths = ["../../elsewhere"]\n')
    (tmp_path / "b").mkdir(exist_ok=True)
    configured.write("scenarios/unit/x.yaml", text)
    assert ScenarioLoader(environ={}).load(configured.root / "scenarios/unit/x.yaml")


def test_a_base_outside_the_project_is_refused_before_it_is_read(tmp_path: Path) -> None:
    tree = project(tmp_path)
    base = tmp_path / "elsewhere" / "base.yaml"
    base.parent.mkdir()
    base.write_text("description: TOP-SECRET-CONTENT\n")
    path = tree.write("scenarios/unit/x.yaml", f"extends: {base}\nname: x\n")
    [issue] = load_issues(tree, "scenarios/unit/x.yaml")
    assert issue.startswith(f"{path}:1:10: extends: base {base} is outside the project")
    assert "TOP-SECRET-CONTENT" not in issue
    loader = ScenarioLoader(environ={}, allowed_paths=[base.parent])
    assert loader.load(path).scenario.description == "TOP-SECRET-CONTENT"
