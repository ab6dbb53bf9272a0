"""`onex replay`: a recorded run replayed step for step is as recorded; a difference planted in
the recording is reported with its path; mock recordings replay on the real services; a real
replay starts from the recorded start state, not from what the seeds make today, and refuses a
recording whose state was cut."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from onex_runner.replay import replay
from onex_runner.replay_cli import replay_command
from onex_runner.replay_log import read_replay
from onex_runner.snapshots import append_jsonl
from onex_services.models import ServiceEndpoint
from scenario_runs import run_scenario

ROOT = Path(__file__).resolve().parents[3]
ACCEPTED_MOCK = ROOT / "scenarios" / "unit" / "scenario_order_accepted.yaml"
CHECKPOINT_REAL = ROOT / "scenarios" / "integration" / "scenario_checkpoint_restore.yaml"
SEEDED_REAL = ROOT / "scenarios" / "integration" / "scenario_order_seeded_state.yaml"


def _record(path: Path, folder: Path) -> Path:
    # Sync tests: `onex replay` runs its own event loop, as at the command line.
    result = asyncio.run(run_scenario(path))
    assert result.outcome.value == "passed", result.message
    append_jsonl(result, folder / "snapshots.jsonl")
    return folder / "snapshots.replay.jsonl"


def _replay(report: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(replay_command, [str(report), *args])
    return result.exit_code, result.output


@pytest.mark.unit
def test_a_recorded_run_replays_as_recorded(tmp_path: Path) -> None:
    log = _record(ACCEPTED_MOCK, tmp_path)
    code, output = _replay(tmp_path, "--scenario", "order_accepted")
    assert code == 0, output
    assert "6 step(s) compared, as recorded" in output
    code, output = _replay(log, "--scenario", "order_accepted", "--step", "process")
    assert code == 0, output
    assert "2 step(s) compared" in output


@pytest.mark.unit
def test_a_planted_difference_is_reported_with_its_path(tmp_path: Path) -> None:
    log = _record(ACCEPTED_MOCK, tmp_path)
    record = json.loads(log.read_text())
    record["steps"][1]["output"]["accepted"] = 0  # the recording now says nothing was accepted
    log.write_text(json.dumps(record) + "\n")
    code, output = _replay(log, "--scenario", "order_accepted")
    assert code == 1
    assert (
        "first difference at $.steps[1] (process).output.accepted: recorded 0, replayed 1" in output
    )


@pytest.mark.unit
def test_an_unknown_step_or_scenario_is_a_usage_error(tmp_path: Path) -> None:
    _record(ACCEPTED_MOCK, tmp_path)
    code, output = _replay(tmp_path, "--scenario", "order_accepted", "--step", "nope")
    assert code == 2
    assert "no step 'nope' was recorded (recorded: place, process, accepted)" in output
    code, output = _replay(tmp_path, "--scenario", "other")
    assert code == 2
    assert "no record of scenario 'other' (recorded: order_accepted)" in output


@pytest.mark.integration
def test_a_real_run_replays_with_its_start_state_and_a_mock_one_on_real_services(
    tmp_path: Path, real_kafka: ServiceEndpoint
) -> None:
    _record(CHECKPOINT_REAL, tmp_path)
    record = json.loads((tmp_path / "snapshots.replay.jsonl").read_text())
    assert record["start_state"]["postgres"]["tables"]["orders"]["row_count"] == 0
    name = "checkpoint_restore_all_services_integration"
    code, output = _replay(tmp_path, "--scenario", name)
    assert code == 0, output
    assert "as recorded" in output
    mock = tmp_path / "mock"
    mock.mkdir()
    _record(ACCEPTED_MOCK, mock)
    code, output = _replay(mock, "--scenario", "order_accepted", "--mode", "real")
    assert code == 0, output
    assert "order_accepted (" in output


@pytest.mark.unit
def test_a_recording_whose_start_state_was_cut_is_refused(tmp_path: Path) -> None:
    log = _record(ACCEPTED_MOCK, tmp_path)
    record = json.loads(log.read_text())
    record["start_state"] = {
        "postgres": {"tables": {"orders": {"row_count": 5, "rows": [], "truncated": "0 of 5"}}}
    }
    log.write_text(json.dumps(record) + "\n")
    code, output = _replay(log, "--scenario", "order_accepted")
    assert code == 2
    assert "the recorded start state was cut at $.start_state.postgres.tables.orders (0 of 5)" in (
        " ".join(output.split())
    )


@pytest.mark.integration
def test_a_real_replay_starts_from_the_recorded_state_not_from_the_seeds_of_today(
    tmp_path: Path,
    real_kafka: ServiceEndpoint,
    real_postgres: ServiceEndpoint,
    real_redis: ServiceEndpoint,
) -> None:
    # A copy of the seeded scenario (rows, a Redis key, a waiting Kafka record), whose seeds
    # are changed after the recording.
    path = tmp_path / "integration" / SEEDED_REAL.name
    shutil.copytree(SEEDED_REAL.parents[1] / "sql", path.parent / "sql")
    path.write_text(SEEDED_REAL.read_text().replace("../sql/", "sql/"))
    record_dir = tmp_path / "recorded"
    record_dir.mkdir()
    log = _record(path, record_dir)
    record = json.loads(log.read_text())
    assert record["start_state"]["postgres"]["tables"]["orders"]["row_count"] == 2
    assert record["start_records"] == [
        {"topic": "orders", "key": "o-102", "value": {"id": "o-102", "sku": "NEW", "qty": 3}}
    ]
    seed = path.parent / "sql" / "orders_seed.sql"
    seed.write_text(
        seed.read_text().replace("'OLD', 5", "'OLD', 7")
        + "INSERT INTO orders (id, sku, qty, status) VALUES ('o-103', 'ODD', 9, 'accepted');\n"
    )
    text = path.read_text()
    path.write_text(text.replace('{"status": "accepted"}', '{"status": "held"}').replace(
        "qty: 3}", "qty: 4}"
    ))  # fmt: skip
    # What re-running today's seeds gives differs from the recording in all three services...
    today = asyncio.run(run_scenario(path))
    before = today.state["before"]
    assert before["postgres"]["tables"]["orders"]["row_count"] == 3
    assert before["redis"]["keys"]["order:o-100"]["value"] == '{"status": "held"}'
    # ...and the replay is as recorded all the same: it started from the recorded state.
    name = "order_seeded_state_integration"
    code, output = _replay(record_dir, "--scenario", name)
    assert code == 0, output
    assert "as recorded" in output
    said = " ".join(output.split())
    assert "start state: loaded from the recording (kafka: 3 topic(s) as recorded" in said
    assert "postgres schema: 2 row(s) loaded into 1 table(s)" in said
    # The replayed run's own start state is the recorded one, loaded by each kind.
    outcome = asyncio.run(replay(read_replay(record_dir, name)))
    assert outcome.difference is None, outcome.difference
    loaded = outcome.result.state["seeded"]["recorded_start"]
    assert "redis prefix: 1 key(s) loaded" in loaded, loaded
    assert outcome.result.state["before"]["postgres"]["tables"]["orders"]["row_count"] == 2
    assert outcome.result.state["start_records"] == record["start_records"]
