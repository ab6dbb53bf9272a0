"""The three pipeline files match the nox sessions; a stale file or a CI session without a job
fails here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import check_jenkinsfile
import generate

pytestmark = pytest.mark.unit


def test_pipeline_files_are_up_to_date() -> None:
    assert generate.main(["--check"]) == 0, "run: python pipelines/generate.py"


def test_every_ci_session_needs_a_job() -> None:
    sessions: list[dict[str, object]] = [
        {"name": "lint", "tags": ["ci"]},
        {"name": "newtier", "tags": ["ci"]},
    ]
    with pytest.raises(generate.PipelineConfigError, match="newtier"):
        generate.load_jobs({"jobs": {"lint": {}}}, sessions)


def test_a_job_must_name_a_session() -> None:
    with pytest.raises(generate.PipelineConfigError, match="ghost"):
        generate.load_jobs({"jobs": {"ghost": {}}}, [{"name": "lint", "tags": []}])


def test_jobs_only_call_nox_sessions() -> None:
    for text in generate.render_all().values():
        commands = [line for line in text.splitlines() if "./dev" in line]
        assert commands
        assert all("./dev -s " in line for line in commands)


def test_the_jenkinsfile_structure_check_rejects_a_copied_command() -> None:
    text = "pipeline { agent any\n stages { stage('x') { steps { sh 'pytest -m unit' } } } }"
    assert any("does not call ./dev" in p for p in check_jenkinsfile.structure(text))
