"""Import and build the node under test named by `node: "package.module:ClassName"`."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from onex_registry import BaseOnexRegistry, OnexToolError
from onex_scenario.project_settings import node_import_root


def instantiate_node(target: str, registry: BaseOnexRegistry, scenario_path: Path) -> object:
    """Build the node with the registry as its only argument: it gets its tools from there."""
    module_name, _, class_name = target.partition(":")
    # The project root, as pytest's rootdir: with or without a pyproject.toml.
    root = str(node_import_root(scenario_path))
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
