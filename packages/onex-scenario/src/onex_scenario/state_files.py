"""Files that a scenario's seeded `states:` name (SQL), found and checked like those of
`resources:`: each state is read as a resources mapping by the same walk (`resource_files`),
its paths made absolute against the file that wrote them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from onex_scenario.errors import KeyPath
from onex_scenario.resource_files import RESOURCES, resource_files, with_absolute_files

STATES = "states"


def states_with_absolute_files(
    data: dict[str, Any], folder_of: Callable[[KeyPath], Path]
) -> dict[str, Any]:
    """`data` with the files of each seeded state made absolute (`folder_of` takes the key path
    `(states, <name>, <kind>, ...)`)."""
    states = data.get(STATES)
    if not isinstance(states, dict) or not states:
        return data
    done: dict[str, Any] = {}
    for name, state in states.items():

        def folder(key_path: KeyPath, name: str = name) -> Path:
            return folder_of((STATES, name, *key_path[1:3]))

        done[name] = with_absolute_files({RESOURCES: state}, folder).get(RESOURCES, state)
    return {**data, STATES: done}


def state_files(states: dict[str, Any]) -> list[tuple[KeyPath, str]]:
    """Each file the seeded states name, with its key path `(states, <name>, <kind>, ...)`."""
    return [
        ((STATES, name, *key_path[1:]), file)
        for name, state in states.items()
        for key_path, file in resource_files(state)
    ]
