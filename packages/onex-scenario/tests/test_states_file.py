"""A states file for `@pytest.mark.onex_state`: read like a scenario's `states:`, every problem
named with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_scenario.errors import ScenarioValidationError
from onex_scenario.states_file import load_states_file


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "orders.sql").write_text("CREATE TABLE orders (id text);\n")
    path = tmp_path / "states.yaml"
    path.write_text(text)
    return path


def test_paths_are_made_absolute_against_the_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "states:\n  seeded:\n    postgres: {schema: sql/orders.sql}\n    redis: {seed: {k: v}}\n",
    )
    states = load_states_file(path)
    assert states["seeded"].postgres.schema_file == str(tmp_path / "sql" / "orders.sql")
    assert states["seeded"].redis.seed == {"k": "v"}


def test_a_missing_sql_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "states:\n  seeded:\n    postgres:\n      seed: [sql/nope.sql]\n")
    with pytest.raises(ScenarioValidationError) as caught:
        load_states_file(path)
    assert f"{path}:4:" in str(caught.value)
    assert "file not found" in str(caught.value)


def test_an_unknown_key_in_a_state_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "states:\n  seeded:\n    postgress: {schema: sql/orders.sql}\n")
    with pytest.raises(ScenarioValidationError) as caught:
        load_states_file(path)
    assert f"{path}:3:" in str(caught.value)
    assert "postgress" in str(caught.value)


def test_a_file_without_states_says_what_it_expected(tmp_path: Path) -> None:
    path = _write(tmp_path, "[1, 2]\n")
    with pytest.raises(ScenarioValidationError, match="expected a mapping of states"):
        load_states_file(path)
    path.write_text("other: 1\n")
    with pytest.raises(ScenarioValidationError, match="states"):
        load_states_file(path)
