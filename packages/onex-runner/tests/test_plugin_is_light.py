"""The pytest plugin costs a run that never touches the harness next to nothing: loading it, and
running plain tests with it, imports none of the heavy libraries (they come with the first
scenario file or harness fixture)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

HEAVY = ["aiokafka", "asyncpg", "pydantic", "python_on_whales", "redis", "rich", "yaml"]
_REPORT = """
import json, sys

def pytest_sessionfinish(session):
    loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(%r)))
    with open("heavy.json", "w") as out:
        json.dump({"heavy": loaded, "onex": session.config.pluginmanager.has_plugin("onex")}, out)
"""


def test_loading_the_plugin_modules_imports_nothing_heavy() -> None:
    code = (
        "import sys, json, onex_runner.pytest_plugin, onex_services.pytest_fixtures, "
        "onex_services.client_fixtures; "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_a_run_of_plain_tests_with_the_plugin_imports_nothing_heavy(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(_REPORT % json.dumps(HEAVY))
    (tmp_path / "test_plain.py").write_text("def test_one():\n    assert True\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    # The harness's plugin was loaded (not left out), and it imported nothing heavy.
    assert json.loads((tmp_path / "heavy.json").read_text()) == {"heavy": [], "onex": True}
