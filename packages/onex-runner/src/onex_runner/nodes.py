"""Import and build the node under test named by `node: "package.module:ClassName"`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from onex_registry import BaseOnexRegistry, OnexToolError


def _project_root(scenario_path: Path) -> Path:
    """The nearest folder above the scenario that holds a pyproject.toml (the project root)."""
    for folder in [scenario_path.parent, *scenario_path.parents]:
        if (folder / "pyproject.toml").exists():
            return folder
    return scenario_path.parent


def instantiate_node(target: str, registry: BaseOnexRegistry, scenario_path: Path) -> object:
    """Build the node with the registry as its only argument: it gets its tools from there."""
    module_name, _, class_name = target.partition(":")
    root = str(_project_root(scenario_path.resolve()))
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise OnexToolError(f"node {target!r}: cannot import {module_name!r}: {exc}") from exc
    node_class = getattr(module, class_name, None)
    if not isinstance(node_class, type):
        raise OnexToolError(f"node {target!r}: {module_name} has no class {class_name!r}")
    return node_class(registry)
