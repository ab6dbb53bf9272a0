"""The README's Quick start says how many scenarios `./dev demo` runs, how many defects it
switches on and which sessions `./dev test` runs; all three are read from the repository here,
so the README cannot drift from what the commands do (it said 33 scenarios and ten defects while
the demo ran 51 and 17, and left `secured` and `adoption` out of CI's sessions)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from onex_runner.selection import select

from examples.defects import DEFECTS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def _quick_start() -> str:
    text = (ROOT / "README.md").read_text()
    return " ".join(text.split("## Quick start", 1)[1].split("\n## ", 1)[0].split())


def test_the_readme_counts_the_scenarios_the_demo_runs() -> None:
    said = re.search(r"runs the (\d+) example scenarios", _quick_start())
    assert said is not None, "the Quick start no longer says how many scenarios the demo runs"
    loaded, issues = select([ROOT / "scenarios"])  # what `onex run scenarios` runs
    assert not issues
    assert int(said.group(1)) == len(loaded)


def test_the_readme_counts_the_defects_the_demo_switches_on() -> None:
    said = re.search(r"each of (\d+) known defects", _quick_start())
    assert said is not None, "the Quick start no longer says how many defects the demo uses"
    assert int(said.group(1)) == len(DEFECTS)


def test_the_readme_names_every_session_ci_runs() -> None:
    said = re.search(r"every session tagged `ci` \(.*?\): (.*?)\. ", _quick_start())
    assert said is not None, "the Quick start no longer names the sessions of ./dev test"
    named = re.findall(r"`(\w+)`", said.group(1))
    noxfile = (ROOT / "noxfile.py").read_text()
    tagged = re.findall(r'tags=\["ci"[^]]*\]\)\ndef (\w+)\(', noxfile)
    assert tagged, "no ci-tagged session found in noxfile.py: the pattern is out of date"
    assert named == tagged  # in the order CI runs them
