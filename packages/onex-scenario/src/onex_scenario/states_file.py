"""A states file: seeded states for tests, outside any scenario (docs/state.md, "Seeded states
per test").

    # tests/states.yaml
    states:
      orders_seed:
        postgres: {schema: sql/orders.sql, seed: [sql/orders_seed.sql]}
        redis: {seed: {"order:o-1": accepted}}
        kafka: {records: [{topic: orders, key: o-1, value: {id: o-1}}]}

The `states:` section is the scenario's (`ModelSeededState`), so a base that scenarios extend
can serve as a states file too (its other keys are ignored). Paths are relative to the file;
every problem is a `ScenarioValidationError` with file:line, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onex_scenario.errors import ScenarioValidationError, ValidationIssue, format_key_path
from onex_scenario.issues import validation_issues
from onex_scenario.models import ModelSeededState
from onex_scenario.names import Identifier
from onex_scenario.state_files import STATES, state_files, states_with_absolute_files
from onex_scenario.yaml_files import as_mapping, read_yaml_file


class ModelStatesFile(BaseModel):
    """The part of a states file that is read: its `states:`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    states: dict[Identifier, ModelSeededState] = Field(min_length=1)


def load_states_file(path: Path | str) -> dict[str, ModelSeededState]:
    """The seeded states of `path`, their files made absolute and checked to exist."""
    path = Path(path)
    raw, source_map = read_yaml_file(path)
    data: dict[str, Any] = as_mapping(raw, source_map, "states (a `states:` mapping)")
    data = states_with_absolute_files(data, lambda _key_path: path.resolve().parent)
    try:
        model = ModelStatesFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioValidationError(
            validation_issues(exc, data, source_map, ModelStatesFile)
        ) from None
    dumped = {name: state.model_dump(by_alias=True) for name, state in model.states.items()}
    issues = []
    for key_path, file in state_files(dumped):
        if not Path(file).is_file():
            where = source_map.value_position(key_path)
            issues.append(
                ValidationIssue(
                    where.file,
                    where.line,
                    where.column,
                    format_key_path(key_path),
                    f"file not found: {file} (paths are relative to the states file)",
                )
            )
    if issues:
        raise ScenarioValidationError(issues)
    return dict(model.states)


__all__ = ["STATES", "ModelStatesFile", "load_states_file"]
