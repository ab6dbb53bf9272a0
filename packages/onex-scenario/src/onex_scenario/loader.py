"""Load scenario files: read safely, merge `extends`, interpolate, validate, apply overrides.

Order of work for one file (each stage reports every problem it finds, with file:line:col):
1. read the file and its bases (`yaml_source`, `inheritance`), merge the chain;
2. interpolate `${VAR}` / `${VAR:-default}` in values (`interpolation`);
3. take `tier` from the folder name when the file has none; make resource paths absolute
   (relative to the file that wrote them);
4. validate with `ScenarioConfigModel` (field rules, then cross-field rules in `checks`);
5. check that resource files lie inside the allowed folders (`confinement`) and exist, apply
   `ONEX_*` and caller overrides (`env_overrides`).
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from onex_scenario.confinement import PathConfinement
from onex_scenario.env_overrides import (
    ConnectionOverrides,
    apply_overrides,
    connection_overrides_from_env,
)
from onex_scenario.errors import (
    KeyPath,
    ScenarioValidationError,
    ValidationIssue,
    format_key_path,
    sort_issues,
)
from onex_scenario.inheritance import YAML_SUFFIXES, Inheritance, Layered
from onex_scenario.issues import validation_issues
from onex_scenario.models import ScenarioConfigModel, TierEnum
from onex_scenario.resource_files import resource_files, with_absolute_files
from onex_scenario.source_map import Position, SourceMap
from onex_scenario.state_files import STATES, state_files, states_with_absolute_files

INDEX_FILENAME = "index.yaml"
_TIERS = {tier.value for tier in TierEnum}


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario and where it came from."""

    path: Path
    scenario: ScenarioConfigModel
    origin: Layered = field(repr=False, compare=False)
    """The files it was merged from; positions are computed on first use."""

    @property
    def chain(self) -> tuple[Path, ...]:
        """The file, then each base it extends, nearest first."""
        return self.origin.chain

    @property
    def source_map(self) -> SourceMap:
        """Positions of every key and value of the merged document."""
        return self.origin.source_map

    def position(self, key_path: KeyPath) -> Position:
        """Where `key_path` (e.g. ("steps", 2)) is written, for messages about it."""
        return self.source_map.value_position(key_path)


class ScenarioLoader:
    """Loads many scenarios with one cache of parsed bases and one reading of the environment.

    `environ` feeds `${VAR}` interpolation and the `ONEX_*` overrides (default: os.environ);
    `base_dirs` are searched for `base:<name>` after the `_bases/` folders above each file;
    `overrides` (e.g. from a CLI) win over the environment; `allowed_paths` are folders outside
    the project that resource files may lie in (`--allow-path`), `roots` the scenario folders of
    the command line (see `confinement`). Raises `EnvOverrideError` at construction when an
    `ONEX_*` variable is unusable.
    """

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        base_dirs: Sequence[Path | str] = (),
        overrides: ConnectionOverrides | None = None,
        allowed_paths: Sequence[Path | str] = (),
        roots: Sequence[Path | str] = (),
    ) -> None:
        self._environ: Mapping[str, str] = dict(os.environ) if environ is None else environ
        self._confinement = PathConfinement([*allowed_paths, *roots, *base_dirs], self._environ)
        env_layer = connection_overrides_from_env(self._environ)
        self._overrides = overrides.over(env_layer) if overrides is not None else env_layer
        self._no_overrides = self._overrides.is_empty
        self._inheritance = Inheritance(
            self._environ, [Path(d) for d in base_dirs], self._confinement
        )

    def load(self, path: Path | str) -> LoadedScenario:
        """Load and validate one file; raises `ScenarioValidationError` with every issue."""
        path = Path(path)
        layered = self._inheritance.resolve(path)
        issues = layered.interpolation_issues()
        data = states_with_absolute_files(
            with_absolute_files(
                _with_folder_tier(layered.data, path),
                lambda key_path: layered.declared_in(key_path[:3]).path.parent,
            ),
            lambda key_path: layered.declared_in(key_path[:4]).path.parent,
        )
        try:
            scenario = ScenarioConfigModel.model_validate(data)
        except ValidationError as exc:
            # A value whose interpolation failed is reported once, for that reason only (an
            # unknown key holding it still is: that is a problem of the key).
            failed = frozenset(issue.key_path for issue in issues)
            found = validation_issues(
                exc, data, layered.source_map, ScenarioConfigModel, failed_values=failed
            )
            raise ScenarioValidationError(issues + found) from None
        issues += _file_issues(scenario, layered, self._confinement)
        issues += _tier_folder_issues(scenario, path, layered)
        if issues:
            raise ScenarioValidationError(issues)
        if not self._no_overrides:
            scenario = apply_overrides(scenario, self._overrides)
        return LoadedScenario(path, scenario, layered)


def load_scenario(
    path: Path | str,
    *,
    environ: Mapping[str, str] | None = None,
    base_dirs: Sequence[Path | str] = (),
    overrides: ConnectionOverrides | None = None,
) -> ScenarioConfigModel:
    """Load one scenario file; raises `ScenarioValidationError` (never another error for bad
    input)."""
    loader = ScenarioLoader(environ=environ, base_dirs=base_dirs, overrides=overrides)
    return loader.load(path).scenario


def load_scenarios(
    paths: Iterable[Path | str],
    *,
    environ: Mapping[str, str] | None = None,
    base_dirs: Sequence[Path | str] = (),
    overrides: ConnectionOverrides | None = None,
    allowed_paths: Sequence[Path | str] = (),
) -> tuple[list[LoadedScenario], list[ValidationIssue]]:
    """Load every scenario file in `paths` (files, or folders searched recursively).

    Returns the valid scenarios and the issues of the invalid ones (plus duplicate names), so
    one bad file does not hide the others. Raises `EnvOverrideError` for unusable `ONEX_*`
    variables, since those concern every file alike. The folders in `paths` (and the folder of
    each file in it) are scenario roots: resource files may lie inside them.
    """
    given = [Path(p) for p in paths]
    roots = [p if p.is_dir() else p.parent for p in given]
    loader = ScenarioLoader(
        environ=environ, base_dirs=base_dirs, overrides=overrides,
        allowed_paths=allowed_paths, roots=roots,
    )  # fmt: skip
    loaded: list[LoadedScenario] = []
    issues: list[ValidationIssue] = []
    with _collector_paused():
        for path in discover_scenario_files(given):
            try:
                loaded.append(loader.load(path))
            except ScenarioValidationError as exc:
                issues.extend(exc.issues)
    issues.extend(_duplicate_names(loaded))
    return loaded, sort_issues(issues)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch of files loads.

    Loading builds many small acyclic containers (YAML nodes, dicts, models); the collector
    would rescan the growing set of live scenarios again and again, which costs about a fifth
    of the time of a large batch. Reference counting still frees everything; the collector is
    switched back on (if it was on) when the batch ends, also on errors.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def discover_scenario_files(paths: Iterable[Path | str]) -> list[Path]:
    """Scenario files in `paths`: files as given; folders searched recursively for *.yaml/*.yml,
    skipping `index.yaml` and folders whose name starts with `_` or `.` (such as `_bases/`)."""
    found: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if not path.is_dir():
            found.append(path)
            continue
        for root, folders, files in os.walk(path):
            folders[:] = sorted(f for f in folders if not f.startswith(("_", ".")))
            for name in sorted(files):
                if name.endswith(YAML_SUFFIXES) and name != INDEX_FILENAME:
                    found.append(Path(root) / name)
    return list(dict.fromkeys(found))


def is_scenario_file(path: Path, root: Path) -> bool:
    """Whether `discover_scenario_files([root])` would pick up `path`."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    return (
        path.name.endswith(YAML_SUFFIXES)
        and path.name != INDEX_FILENAME
        and not any(part.startswith(("_", ".")) for part in parts[:-1])
    )


def _with_folder_tier(data: dict[str, Any], path: Path) -> dict[str, Any]:
    if "tier" in data:
        return data
    folder = _folder_name(path)
    if folder in _TIERS:
        return {**data, "tier": folder}
    return data


def _folder_name(path: Path) -> str:
    return os.path.basename(os.path.dirname(os.path.abspath(path)))


def _tier_folder_issues(
    scenario: ScenarioConfigModel, path: Path, layered: Layered
) -> list[ValidationIssue]:
    folder = _folder_name(path)
    if folder in _TIERS and folder != scenario.tier.value:
        where = layered.source_map.value_position(("tier",))
        return [
            ValidationIssue(
                where.file,
                where.line,
                where.column,
                "tier",
                f"tier '{scenario.tier.value}' contradicts the folder '{folder}/' the file is in; "
                "move the file or fix the tier",
            )
        ]
    return []


def _file_issues(
    scenario: ScenarioConfigModel, layered: Layered, confinement: PathConfinement
) -> list[ValidationIssue]:
    wanted = resource_files(scenario.resources.model_dump(by_alias=True)) + state_files(
        {name: state.model_dump(by_alias=True) for name, state in scenario.states.items()}
    )
    issues: list[ValidationIssue] = []
    for key_path, file in wanted:
        # Confinement first: whether a file outside exists is not the scenario's business.
        declared = key_path[: 4 if key_path[0] == STATES else 3]
        problem = confinement.problem(layered.declared_in(declared).path, file)
        if problem is None and not Path(file).is_file():
            problem = f"file not found: {file} (paths are relative to the file that names them)"
        if problem is not None:
            where = layered.source_map.value_position(key_path)
            issues.append(
                ValidationIssue(
                    where.file, where.line, where.column, format_key_path(key_path), problem
                )
            )
    return issues


def _duplicate_names(loaded: list[LoadedScenario]) -> list[ValidationIssue]:
    first: dict[str, LoadedScenario] = {}
    issues: list[ValidationIssue] = []
    for item in loaded:
        name = item.scenario.name
        if name in first:
            where = item.source_map.value_position(("name",))
            issues.append(
                ValidationIssue(
                    where.file,
                    where.line,
                    where.column,
                    "name",
                    f"scenario name '{name}' is already used by {first[name].path}",
                )
            )
        else:
            first[name] = item
    return issues
