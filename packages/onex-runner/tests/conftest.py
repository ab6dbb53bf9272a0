"""Helpers to write scenario files for the runner's tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ScenarioWriter = Callable[..., Path]


@pytest.fixture
def write_scenario(tmp_path: Path) -> ScenarioWriter:
    def write(name: str, tier: str = "unit", **body: Any) -> Path:
        folder = tmp_path / tier
        folder.mkdir(exist_ok=True)
        document = {"name": name, "node": "nodes.counter:CounterNode", **body}
        path = folder / f"scenario_{name}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    return write
