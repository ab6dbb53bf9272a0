"""The committed JSON Schema must be the one the models generate."""

from __future__ import annotations

import json

import pytest
from onex_scenario.schema import (
    REGENERATE_COMMAND,
    SCHEMA_PATH,
    render_scenario_json_schema,
    scenario_json_schema,
)

from conftest import REPO

pytestmark = pytest.mark.unit


def test_the_committed_schema_is_up_to_date() -> None:
    committed = (REPO / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == render_scenario_json_schema(), (
        f"{SCHEMA_PATH} is out of date with the models; regenerate it from the repository root "
        f"with: {REGENERATE_COMMAND}"
    )


def test_the_schema_describes_the_file_format() -> None:
    schema = scenario_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert "tier" not in schema["required"]  # it may come from the folder name
    assert schema["required"] == ["name"]
    assert set(schema["properties"]) >= {
        "extends",
        "steps",
        "expect",
        "external_services",
        "timeout_profiles",
    }
    step_kinds = schema["properties"]["steps"]["items"]["oneOf"]
    assert len(step_kinds) == 8
    duration = schema["$defs"]["ModelWaitStep"]["properties"]["wait"]
    assert {option["type"] for option in duration["anyOf"]} == {"number", "string"}
    assert schema["$defs"]["ModelPostgresResources"]["properties"]["schema"]
    json.dumps(schema)  # serialisable as is
