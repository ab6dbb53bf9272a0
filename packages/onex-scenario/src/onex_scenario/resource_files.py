"""Files a scenario's `resources:` name (SQL schemas, seed files...), found by each kind's
vocabulary (`KindVocabulary.resource_files`), so nothing here names a kind.

The same walk serves the raw YAML data (to make each path absolute, relative to the file that
wrote it) and the validated model (to check that each file exists and is allowed).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from onex_scenario.errors import KeyPath
from onex_scenario.vocabulary import vocabularies

RESOURCES = "resources"


def resource_files(resources: object) -> list[tuple[KeyPath, str]]:
    """Each file named under `resources` (a mapping by kind, as written), with its key path."""
    found: list[tuple[KeyPath, str]] = []
    if not isinstance(resources, Mapping):
        return found
    known = vocabularies()
    for kind, section in resources.items():
        vocabulary = known.get(kind)
        if vocabulary is None or not isinstance(section, Mapping):
            continue  # an unknown kind or a malformed section: the model's validation says so
        for key in vocabulary.resource_files:
            value = section.get(key)
            if isinstance(value, str):
                found.append(((RESOURCES, kind, key), value))
            elif isinstance(value, list | tuple):
                found += [
                    ((RESOURCES, kind, key, index), item)
                    for index, item in enumerate(value)
                    if isinstance(item, str)
                ]
    return found


def with_absolute_files(
    data: dict[str, Any], folder_of: Callable[[KeyPath], Path]
) -> dict[str, Any]:
    """`data` with each resource file made absolute against `folder_of(<its key path>)`."""
    files = resource_files(data.get(RESOURCES))
    if not files:
        return data
    resources = {kind: _copied(section) for kind, section in dict(data[RESOURCES]).items()}
    for key_path, value in files:
        _, kind, key, *index = key_path
        absolute = _absolute(folder_of(key_path), value)
        section = resources[str(kind)]
        if index:
            section[str(key)][int(index[0])] = absolute
        else:
            section[str(key)] = absolute
    return {**data, RESOURCES: resources}


def _copied(section: object) -> Any:
    """A section copied deep enough to be changed (its dict and its lists), the rest shared."""
    if not isinstance(section, Mapping):
        return section
    return {
        key: list(value) if isinstance(value, list | tuple) else value
        for key, value in section.items()
    }


def _absolute(folder: Path, value: str) -> str:
    target = Path(value)
    if not target.is_absolute():
        target = Path(os.path.abspath(folder / target))
    return str(target)
