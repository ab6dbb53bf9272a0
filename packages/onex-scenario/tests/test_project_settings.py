"""`[tool.onex]` in a project's pyproject.toml: where the root is, what it sets, what beats it."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from onex_scenario.project_settings import (
    ProjectSettingsError,
    apply_profile,
    find_project_root,
    load_project_settings,
    node_import_root,
    read_profile,
)

pytestmark = pytest.mark.unit


def project(tmp_path: Path, table: str, extra: str = "") -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    text = '[project]\nname = "p"\n\n' + textwrap.dedent(table).lstrip("\n") + extra
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def test_defaults_without_a_table(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    (root / ".git").mkdir(parents=True)
    (root / "deep" / "er").mkdir(parents=True)
    settings = load_project_settings(root / "deep" / "er", environ={})
    assert settings.root == root.resolve()
    assert settings.source is None
    assert settings.scenario_roots == ((root / "scenarios").resolve(),)
    assert settings.bases == ()
    assert settings.backend is None
    assert settings.reports == (root / "reports").resolve()


def test_the_table_sets_paths_relative_to_the_project_root(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """
        [tool.onex]
        scenario_roots = ["tests/scenarios", "more"]
        bases = ["shared"]
        backend = "process"
        reports = "out/reports"
        allowed_paths = ["../sql"]

        [tool.onex.profiles]
        ci = "ci.env"
        """,
    )
    (root / "ci.env").write_text("ONEX_REUSE=1\n")
    (root / "src" / "pkg").mkdir(parents=True)
    settings = load_project_settings(root / "src" / "pkg", environ={})
    assert settings.root == root.resolve()
    assert settings.source == (root / "pyproject.toml").resolve()
    assert settings.scenario_roots == (
        (root / "tests" / "scenarios").resolve(),
        (root / "more").resolve(),
    )
    assert settings.bases == ((root / "shared").resolve(),)
    assert settings.backend == "process"
    assert settings.reports == (root / "out" / "reports").resolve()
    assert settings.allowed_paths == ((tmp_path / "sql").resolve(),)
    assert settings.profile("ci") == (root / "ci.env").resolve()
    with pytest.raises(ProjectSettingsError, match=r"no profile 'cd' in \[tool.onex\] \(known: ci"):
        settings.profile("cd")


def test_the_environment_beats_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, '[tool.onex]\nbackend = "compose"\nbases = ["shared"]\n')
    monkeypatch.chdir(tmp_path)
    environ = {
        "ONEX_SERVICES_BACKEND": "process",
        "ONEX_BASES": os.pathsep.join(["b1", "b2"]),
        "ONEX_REPORTS_DIR": "elsewhere",
        "ONEX_SCENARIO_ROOTS": "",  # empty counts as unset
    }
    settings = load_project_settings(root, environ=environ)
    assert settings.backend == "process"
    assert settings.bases == ((tmp_path / "b1").resolve(), (tmp_path / "b2").resolve())
    assert settings.reports == (tmp_path / "elsewhere").resolve()
    assert settings.scenario_roots == ((root / "scenarios").resolve(),)
    with pytest.raises(ProjectSettingsError, match="ONEX_SERVICES_BACKEND: expected one of"):
        load_project_settings(root, environ={"ONEX_SERVICES_BACKEND": "docker"})


def test_bad_settings_are_reported_at_their_line(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """
        [tool.onex]
        scenario_roots = "scenarios"
        backend = "podman"
        base = ["x"]
        """,
    )
    with pytest.raises(ProjectSettingsError) as caught:
        load_project_settings(root, environ={})
    source = root / "pyproject.toml"
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        f"{source.resolve()}:5: [tool.onex].scenario_roots: input should be a valid list, "
        "got 'scenarios'"
    )
    assert lines[1].startswith(f"{source.resolve()}:6: [tool.onex].backend: input should be ")
    assert lines[2].startswith(
        f"{source.resolve()}:7: [tool.onex].base: unknown key 'base'; did you mean 'bases'?"
    )


def test_a_missing_profile_file_and_broken_toml_are_errors(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.onex]\n[tool.onex.profiles]\nci = "nope.env"\n')
    with pytest.raises(ProjectSettingsError, match=r":5: \[tool.onex\].profiles: no such file"):
        load_project_settings(root, environ={})
    (root / "pyproject.toml").write_text("[tool.onex]\nbackend = \n")
    # Broken TOML is not taken for a [tool.onex] table: the search goes on to the folder itself.
    assert find_project_root(root) == (root.resolve(), None)


def test_the_nearest_table_wins_over_a_nearer_plain_pyproject(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.onex]\nreports = "r"\n')
    package = root / "packages" / "one"
    package.mkdir(parents=True)
    (package / "pyproject.toml").write_text('[project]\nname = "one"\n')
    assert find_project_root(package) == (root.resolve(), (root / "pyproject.toml").resolve())
    # A .git ends the search: a table above another repository is not this project's.
    (package / ".git").mkdir()
    assert find_project_root(package) == (package.resolve(), None)


def test_nodes_import_from_the_root_with_or_without_a_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    scenario = plain / "scenarios" / "unit" / "x.yaml"
    scenario.parent.mkdir(parents=True)
    scenario.write_text("name: x\n")
    monkeypatch.chdir(plain)
    assert node_import_root(scenario) == plain.resolve()
    monkeypatch.chdir(tmp_path.parent)
    assert node_import_root(scenario, cwd=scenario.parent.parent) == plain.resolve() / "scenarios"
    (plain / "pyproject.toml").write_text('[project]\nname = "p"\n')
    assert node_import_root(scenario) == plain.resolve()


def test_profiles_are_key_value_files_that_fill_only_unset_variables(tmp_path: Path) -> None:
    profile = tmp_path / "ci.env"
    profile.write_text(
        "# comment\n\nONEX_REUSE=0\nexport PYTEST_ADDOPTS=\"--maxfail=25\"\nEMPTY=\nQ='a b'\n"
    )
    values = read_profile(profile)
    assert values == {"ONEX_REUSE": "0", "PYTEST_ADDOPTS": "--maxfail=25", "EMPTY": "", "Q": "a b"}
    environ = {"ONEX_REUSE": "1", "Q": ""}
    assert apply_profile(values, environ) == ["PYTEST_ADDOPTS", "EMPTY", "Q"]
    assert environ == {"ONEX_REUSE": "1", "Q": "a b", "PYTEST_ADDOPTS": "--maxfail=25", "EMPTY": ""}
    profile.write_text("OK=1\nnot an assignment\n")
    with pytest.raises(ProjectSettingsError, match=r"ci.env:2: expected KEY=VALUE, got 'not an"):
        read_profile(profile)
