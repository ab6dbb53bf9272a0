"""`onex init` scaffolds a project in which `onex run` passes at once; it never overwrites a
file; `onex init --check` says what is missing or differs. Run as a user would: the installed
`onex` program in a folder of its own, outside this repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from onex_runner.init_cli import init
from onex_runner.pipeline_files import TARGET_PATHS
from onex_runner.scaffold import NOXFILE, TEMPLATE, noxfile_sessions, pipeline_texts

pytestmark = pytest.mark.unit

ONEX = str(Path(sys.executable).parent / "onex")


def _onex(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ONEX, *args], cwd=folder, capture_output=True, text=True, check=False, timeout=120
    )


def _init(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`onex init` in this process (quicker than a program start; the first test runs both)."""
    result = CliRunner().invoke(init, [*args, str(folder)])
    return subprocess.CompletedProcess(["onex", "init"], result.exit_code, result.stdout, "")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "my-project"
    folder.mkdir()
    return folder


def test_init_then_run_passes_in_an_empty_folder(project: Path) -> None:
    made = _onex(project, "init")
    assert made.returncode == 0, made.stderr
    written = (
        *("noxfile.py", "pyproject.toml", "scenarios/unit/scenario_greeting.yaml"),
        *("stub_node/node.py", ".github/workflows/ci.yml", ".gitlab-ci.yml", "Jenkinsfile"),
    )
    for path in written:
        assert f"created: {path}" in made.stdout
        assert (project / path).is_file()
    for tier in ("unit", "integration", "mixed"):
        assert (project / "scenarios" / tier).is_dir()
    assert "[tool.onex]" in (project / "pyproject.toml").read_text()
    ran = _onex(project, "run")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "passed greeting (unit" in ran.stdout
    assert "1 passed, 0 failed" in ran.stdout
    checked = _onex(project, "init", "--check")
    assert checked.returncode == 0, checked.stdout
    assert "everything is in place" in checked.stdout


def test_init_never_overwrites_a_file(project: Path) -> None:
    (project / "noxfile.py").write_text("# my own noxfile\n")
    (project / "pyproject.toml").write_text('[project]\nname = "mine"\n')
    made = _init(project)
    assert made.returncode == 0, made.stderr
    assert "skipped (exists): noxfile.py" in made.stdout
    assert "skipped (exists, without [tool.onex]" in made.stdout
    assert (project / "noxfile.py").read_text() == "# my own noxfile\n"
    assert (project / "pyproject.toml").read_text() == '[project]\nname = "mine"\n'
    again = _init(project)
    assert "0 file(s) created" in again.stdout


def test_check_lists_what_is_missing_or_differs(project: Path) -> None:
    empty = _init(project, "--check")
    assert empty.returncode == 1
    for line in ("missing: scenarios/unit/", "missing: noxfile.py", "missing: Jenkinsfile"):
        assert line in empty.stdout
    assert "Traceback" not in empty.stdout + empty.stderr
    _init(project)
    gitlab = project / ".gitlab-ci.yml"
    gitlab.write_text(gitlab.read_text().replace("nox -s unit", "pytest"))
    noxfile = project / "noxfile.py"
    noxfile.write_text(noxfile.read_text().replace("def mixed(", "def other("))
    (project / "pyproject.toml").write_text("[tool.onex]\nscenario_rots = ['scenarios']\n")
    (project / "scenarios" / "unit" / "scenario_greeting.yaml").unlink()  # a starter: unchecked
    checked = _init(project, "--check")
    assert checked.returncode == 1
    out = checked.stdout
    assert "differs: .gitlab-ci.yml" in out
    assert "+    - nox -s unit" in out  # the diff shows what is expected
    assert "differs: noxfile.py has no nox session mixed" in out
    assert "unknown key 'scenario_rots'; did you mean 'scenario_roots'?" in out
    assert "scenario_greeting" not in out


def test_the_pipelines_come_from_the_template_noxfile_sessions() -> None:
    source = (TEMPLATE / f"{NOXFILE}.txt").read_text()
    sessions = noxfile_sessions(source)
    assert [s["name"] for s in sessions] == ["unit", "integration", "mixed"]
    assert all(s["tags"] == ["ci"] for s in sessions)
    texts = pipeline_texts()
    assert set(texts) == set(TARGET_PATHS)
    for session in sessions:
        assert f"nox -s {session['name']}" in texts["github"]
        assert f"sh 'nox -s {session['name']}'" in texts["jenkins"]
    # No profile: no empty environment block, which Jenkins refuses.
    assert "environment {\n    }" not in texts["jenkins"]
