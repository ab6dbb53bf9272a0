"""The JSON Schema of a scenario file, generated from `ScenarioConfigModel`.

The committed copy (`schemas/scenario.schema.json`) lets editors complete and check scenario files
(`# yaml-language-server: $schema=<relative path>` at the top of a file); a unit test fails when it
differs from what the models generate now.
"""

from __future__ import annotations

import json
from typing import Any

from onex_scenario.models import ScenarioConfigModel

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_PATH = "schemas/scenario.schema.json"
"""Where the committed schema lives, relative to the repository root."""
REGENERATE_COMMAND = f"onex scenarios schema --output {SCHEMA_PATH}"


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one scenario file."""
    schema = ScenarioConfigModel.model_json_schema(by_alias=True)
    return {"$schema": SCHEMA_DIALECT, **schema}


def render_scenario_json_schema() -> str:
    """The schema as the committed file holds it: indented JSON and a final newline."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
