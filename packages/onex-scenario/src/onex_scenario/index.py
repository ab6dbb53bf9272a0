"""`scenarios/index.yaml`: the list of scenarios with their tier, tags and expected result.

The index is what tools and people read to know what exists and what should happen; it must agree
with the files. `index_problems` reports scenario files missing from the index, entries whose file
does not exist, and entries whose tier differs from the scenario's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from onex_scenario.errors import (
    DOCUMENT,
    KeyPath,
    ScenarioValidationError,
    ValidationIssue,
    format_key_path,
)
from onex_scenario.issues import validation_issues
from onex_scenario.loader import INDEX_FILENAME, LoadedScenario, discover_scenario_files
from onex_scenario.models import TierEnum
from onex_scenario.names import ScenarioName, Tag
from onex_scenario.source_map import SourceMap
from onex_scenario.yaml_files import as_mapping, read_yaml_file

_MODEL = ConfigDict(extra="forbid", frozen=True)


class ExpectedResultEnum(StrEnum):
    """What running the scenario should give; `fail` marks scenarios that prove a failure is
    detected (e.g. a real service that is down must not pass)."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


class ModelIndexEntry(BaseModel):
    """One scenario in the index; `path` is relative to the index file's folder."""

    model_config = _MODEL

    id: ScenarioName
    path: str
    tier: TierEnum
    tags: tuple[Tag, ...] = ()
    expected_result: ExpectedResultEnum = ExpectedResultEnum.PASS
    description: str = ""


class ModelScenarioIndex(BaseModel):
    """The whole index file."""

    model_config = _MODEL

    version: Literal[1] = 1
    scenarios: tuple[ModelIndexEntry, ...] = Field(default_factory=tuple)

    @model_validator(mode="after")
    def _unique(self) -> ModelScenarioIndex:
        problems: list[tuple[KeyPath, str]] = []
        ids: dict[str, int] = {}
        paths: dict[str, int] = {}
        for index, entry in enumerate(self.scenarios):
            if entry.id in ids:
                problems.append(
                    (
                        ("scenarios", index, "id"),
                        f"id '{entry.id}' is already used by scenarios[{ids[entry.id]}]",
                    )
                )
            ids.setdefault(entry.id, index)
            normal = str(PurePosixPath(entry.path))
            if normal in paths:
                problems.append(
                    (
                        ("scenarios", index, "path"),
                        f"path '{entry.path}' is already listed by scenarios[{paths[normal]}]",
                    )
                )
            paths.setdefault(normal, index)
            if PurePosixPath(entry.path).is_absolute() or ".." in PurePosixPath(entry.path).parts:
                problems.append(
                    (
                        ("scenarios", index, "path"),
                        "expected a path relative to the index's folder, without '..'",
                    )
                )
        if problems:
            raise PydanticCustomError(
                "scenario_semantics",
                "{detail}",
                {
                    "detail": "; ".join(f"{format_key_path(p)}: {m}" for p, m in problems),
                    "problems": problems,
                },
            )
        return self


@dataclass(frozen=True)
class LoadedIndex:
    """A validated index and where its entries are written."""

    path: Path
    index: ModelScenarioIndex
    source_map: SourceMap

    @property
    def root(self) -> Path:
        """The folder entry paths are relative to."""
        return self.path.parent

    def entry_file(self, entry: ModelIndexEntry) -> Path:
        return self.root / PurePosixPath(entry.path)

    def entry_for(self, path: Path) -> ModelIndexEntry | None:
        """The entry that lists `path`, if any."""
        wanted = _key(path)
        for entry in self.index.scenarios:
            if _key(self.entry_file(entry)) == wanted:
                return entry
        return None

    def by_id(self, scenario_id: str) -> ModelIndexEntry | None:
        return next((e for e in self.index.scenarios if e.id == scenario_id), None)


def load_index(path: Path | str) -> LoadedIndex:
    """Read and validate an index file; raises `ScenarioValidationError`."""
    path = Path(path)
    raw, source_map = read_yaml_file(path)
    data = as_mapping(raw, source_map, "index keys (version, scenarios)")
    try:
        index = ModelScenarioIndex.model_validate(data)
    except ValidationError as exc:
        raise ScenarioValidationError(
            validation_issues(exc, data, source_map, ModelScenarioIndex)
        ) from None
    return LoadedIndex(path, index, source_map)


def find_index(start: Path | str) -> Path | None:
    """The `index.yaml` in `start` (a folder, or a file's folder) or the nearest folder above,
    not looking past the repository root."""
    current = Path(os.path.abspath(start))
    if not current.is_dir():
        current = current.parent
    while True:
        candidate = current / INDEX_FILENAME
        if candidate.is_file():
            return candidate if Path(start).is_absolute() else Path(os.path.relpath(candidate))
        if current.parent == current or (current / ".git").exists():
            return None
        current = current.parent


def index_problems(
    index: LoadedIndex,
    *,
    within: Path | str | None = None,
    scenarios: list[LoadedScenario] | tuple[LoadedScenario, ...] = (),
) -> list[ValidationIssue]:
    """Disagreements between `index` and the files, limited to the folder `within` (default:
    everything under the index's folder).

    - an entry whose file does not exist;
    - a scenario file under the folder that no entry lists;
    - an entry whose tier differs from the scenario's (for the `scenarios` given).
    """
    scope = Path(within) if within is not None else index.root
    scope_key = _key(scope)
    issues: list[ValidationIssue] = []
    listed: set[Path] = set()
    for number, entry in enumerate(index.index.scenarios):
        file = index.entry_file(entry)
        listed.add(_key(file))
        if not _inside(_key(file), scope_key):
            continue
        if not file.is_file():
            issues.append(
                _at(
                    index,
                    ("scenarios", number, "path"),
                    f"index entry '{entry.id}': no file {file}",
                )
            )
    for file in discover_scenario_files([scope]) if scope.is_dir() else []:
        if _key(file) not in listed:
            relative = PurePosixPath(Path(os.path.relpath(_key(file), _key(index.root))))
            issues.append(
                ValidationIssue(
                    str(file),
                    1,
                    1,
                    DOCUMENT,
                    f"not listed in {index.path}; add an entry such as "
                    f"{{id: {file.stem}, path: {relative}, tier: ..., expected_result: pass}}",
                )
            )
    for loaded in scenarios:
        listing = index.entry_for(loaded.path)
        if listing is not None and listing.tier != loaded.scenario.tier:
            number = index.index.scenarios.index(listing)
            issues.append(
                _at(
                    index,
                    ("scenarios", number, "tier"),
                    f"index says tier '{listing.tier.value}' but {loaded.path} is "
                    f"'{loaded.scenario.tier.value}'",
                )
            )
    return issues


def _at(index: LoadedIndex, path: KeyPath, message: str) -> ValidationIssue:
    where = index.source_map.value_position(path)
    return ValidationIssue(where.file, where.line, where.column, format_key_path(path), message)


def _key(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
