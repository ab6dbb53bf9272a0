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


def _job_block(workflow: str, job: str) -> str:
    """One job of the generated GitHub workflow, up to the next job."""
    lines = workflow.split(f"\n  {job}:\n", 1)[1].splitlines()
    end = next((i for i, line in enumerate(lines) if line.startswith("  ") and
                not line.startswith("   ")), len(lines))  # fmt: skip
    return "\n".join(lines[:end])


def test_a_sharded_job_is_a_matrix_of_onex_shard_specs() -> None:
    rendered = generate.render_all()
    integration = _job_block(rendered["github"], "integration")
    assert "shard: [1, 2]" in integration
    assert "ONEX_SHARD: ${{ matrix.shard }}/2" in integration
    assert "setup-java" in integration  # a stack of its own per shard by default
    assert "export ONEX_SHARD=${CI_NODE_INDEX}/${CI_NODE_TOTAL}" in rendered["gitlab"]
    assert "ONEX_SHARD = '2/2'" in rendered["jenkins"]
    assert "ONEX_SHARD_INDEX" not in "".join(rendered.values())  # one way to name a shard


def test_the_shared_cluster_profile_points_every_shard_at_one_cluster() -> None:
    rendered = generate.render_all("pipelines/profiles/shared-cluster.env")
    integration = _job_block(rendered["github"], "integration")
    for name in generate.SHARED_ENDPOINTS:
        assert f"{name}: ${{{{ secrets.{name} }}}}" in integration
        assert f"{name} = credentials(" in rendered["jenkins"]
    assert "setup-java" not in integration  # nothing to start: the cluster runs elsewhere
    assert "setup-java" in _job_block(rendered["github"], "reliability")  # kills its own stacks
    assert "ONEX_PROFILE: pipelines/profiles/shared-cluster.env" in rendered["github"]


def test_a_broken_profile_line_names_its_file_and_line(tmp_path: Path) -> None:
    profile = tmp_path / "bad.env"
    profile.write_text("# fine\nONEX_REUSE=0\nnot a setting\n")
    with pytest.raises(generate.PipelineConfigError, match=r"bad.env:3: expected KEY=VALUE"):
        generate.read_profile(profile)


def test_a_nightly_job_runs_a_ci_session_on_the_timer_with_its_settings() -> None:
    rendered = generate.render_all()
    nightly = _job_block(rendered["github"], "integration-production-like")
    assert "github.event_name == 'schedule'" in nightly
    assert "ONEX_KAFKA_PROFILE: production-like" in nightly
    assert "./dev -s integration" in nightly
    assert "- cron: '17 3 * * *'" in rendered["github"]
    assert '$CI_PIPELINE_SOURCE == "schedule"' in rendered["gitlab"]
    assert "triggeredBy 'TimerTrigger'" in rendered["jenkins"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"session": "ghost", "cron": "1 2 * * *"}, "session 'ghost' is not a job"),
        ({"session": "lint", "cron": "nightly"}, "cron must be five fields"),
        ({"session": "lint", "cron": "1 2 * * *", "env": {"x": "1"}}, "env maps NAMES"),
    ],
)
def test_a_broken_nightly_table_is_named(table: dict[str, object], message: str) -> None:
    from onex_runner.pipeline_files import Runner, Topology, github

    jobs = generate.load_jobs({"jobs": {"lint": {}}}, [{"name": "lint", "tags": ["ci"]}])
    config = {"defaults": {"python": "3.11", "java": "17"}, "nightly": {"x": table}}
    with pytest.raises(generate.PipelineConfigError, match=message):
        github(jobs, config, Topology(profile=None, shared=False), Runner(header="test"))
