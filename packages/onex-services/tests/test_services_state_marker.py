"""`@pytest.mark.onex_state` given something it cannot use: the test fails with the reason
(file:line for a bad states file), before any service is asked for, and with no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TEST = """
import pytest

@pytest.mark.onex_state({args})
def test_seeded(onex_test_namespace):
    pass
"""


def _run(tmp_path: Path, args: str, states: str, ini: str = "") -> str:
    (tmp_path / "states.yaml").write_text(states)
    (tmp_path / "pytest.ini").write_text(f"[pytest]\n{ini}\n")
    (tmp_path / "test_seeded.py").write_text(TEST.format(args=args))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


GOOD = "states:\n  orders_seed:\n    redis: {seed: {k: v}}\n"


@pytest.mark.parametrize(
    ("args", "states", "ini", "said"),
    [
        ('"nope"', GOOD, "onex_states = states.yaml", "state 'nope' is not in"),
        ('"orders_seed"', GOOD, "", "names no states file: give file=... or set `onex_states`"),
        ('"orders_seed", file="states.yaml"', "states:\n  orders_seed:\n    redis: 1\n", "",
         "states.yaml:3:"),
        ("", GOOD, "onex_states = states.yaml", "takes one state name"),
    ],
)  # fmt: skip
def test_a_marker_it_cannot_use_fails_the_test_with_the_reason(
    tmp_path: Path, args: str, states: str, ini: str, said: str
) -> None:
    assert said in _run(tmp_path, args, states, ini)
