"""Where each key and value of a scenario document was written (file, line, column by key path).

The YAML reader (`yaml_source`) records positions; validation, inheritance and the index read
them to point every message at its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onex_scenario.errors import KeyPath


@dataclass(frozen=True, slots=True)
class Position:
    """Where something is written: file as given by the caller, 1-based line and column."""

    file: str
    line: int
    column: int


@dataclass(slots=True)
class SourceMap:
    """Positions of values and keys by key path. Merged documents mix files, so each position
    carries its own file."""

    file: str
    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)

    def value_position(self, path: KeyPath) -> Position:
        """Position of the value at `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return Position(self.file, 1, 1)

    def key_position(self, path: KeyPath) -> Position:
        """Position of the key that ends `path` (falls back to the value's position)."""
        found = self.keys.get(path)
        return found if found is not None else self.value_position(path)

    def merged_with(self, child: SourceMap) -> SourceMap:
        """Positions after `child` was merged over this document: the child's win."""
        return SourceMap(child.file, {**self.values, **child.values}, {**self.keys, **child.keys})
