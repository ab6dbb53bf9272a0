"""A project's harness settings: the `[tool.onex]` table of its pyproject.toml.

```toml
[tool.onex]
scenario_roots = ["scenarios"]          # what `onex run` and `onex scenarios validate` read
bases = ["scenarios/shared"]            # more folders for `extends: base:<name>`
backend = "process"                     # auto | process | compose | external
reports = "reports"                     # where reports and snapshots go
allowed_paths = ["../shared-sql"]       # folders outside the project that scenarios may name
[tool.onex.profiles]
ci = "pipelines/profiles/ci.env"        # named KEY=VALUE files
[tool.onex.servers.kafka]               # the stack's server settings (see onex_services)
"auto.create.topics.enable" = true
```

Precedence, highest first: the command line, the environment (`ONEX_SCENARIO_ROOTS`,
`ONEX_BASES`, `ONEX_ALLOWED_PATHS` as os.pathsep-separated lists, `ONEX_SERVICES_BACKEND`,
`ONEX_REPORTS_DIR`), `[tool.onex]`, the defaults. Paths in the file are relative to the project
root, paths in the environment to the current folder. The command line is the caller's: it passes
its values over these (`settings.bases` is what applies when no `--bases` was given).

The project root is the nearest folder upward that holds a pyproject.toml with `[tool.onex]`;
else the nearest with a pyproject.toml or a `.git` (the search stops at a `.git`), else the
starting folder, like pytest's rootdir. Nodes import from it.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PYPROJECT = "pyproject.toml"
TABLE = "[tool.onex]"
BACKENDS = ("auto", "process", "compose", "external")
ENVIRONMENT = {
    "scenario_roots": "ONEX_SCENARIO_ROOTS",
    "bases": "ONEX_BASES",
    "allowed_paths": "ONEX_ALLOWED_PATHS",
    "backend": "ONEX_SERVICES_BACKEND",
    "reports": "ONEX_REPORTS_DIR",
}
"""Each setting that the environment can set, and its variable."""


class ProjectSettingsError(Exception):
    """`[tool.onex]` (or a variable that overrides it) is unusable; one line per problem."""


class _Table(BaseModel):
    """The `[tool.onex]` table as written; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario_roots: list[str] = Field(default_factory=lambda: ["scenarios"], min_length=1)
    bases: list[str] = Field(default_factory=list)
    backend: Literal["auto", "process", "compose", "external"] | None = None
    reports: str = "reports"
    profiles: dict[str, str] = Field(default_factory=dict)
    allowed_paths: list[str] = Field(default_factory=list)
    servers: dict[str, dict[str, str | int | float | bool]] = Field(default_factory=dict)


@dataclass(frozen=True)
class ProjectSettings:
    """Settings in effect for one project; paths are absolute."""

    root: Path
    source: Path | None = None
    """The pyproject.toml that held `[tool.onex]`, or None when none did."""
    scenario_roots: tuple[Path, ...] = ()
    bases: tuple[Path, ...] = ()
    backend: str | None = None
    reports: Path = Path("reports")
    profiles: Mapping[str, Path] = field(default_factory=dict)
    allowed_paths: tuple[Path, ...] = ()
    servers: Mapping[str, Mapping[str, str | int | float | bool]] = field(default_factory=dict)
    """Server settings per kind (`[tool.onex.servers.<kind>]`), read by onex_services."""

    def profile(self, name: str) -> Path:
        """The file of the named profile; ProjectSettingsError names the known ones."""
        if name not in self.profiles:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ProjectSettingsError(f"no profile {name!r} in {TABLE} (known: {known})")
        return self.profiles[name]


def find_project_root(start: Path | None = None) -> tuple[Path, Path | None]:
    """(project root, the pyproject.toml with `[tool.onex]` or None), searching from `start`."""
    here = (start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    root, source = _marked_root(here)
    return root or here, source


def node_import_root(scenario_path: Path, cwd: Path | None = None) -> Path:
    """The folder a scenario's node is imported from: its project root; in a plain folder of
    code (no pyproject.toml, no .git) the current folder when the scenario is inside it, as
    pytest's rootdir, else the scenario's own folder."""
    path = scenario_path.resolve()
    root, _ = _marked_root(path.parent)
    if root is not None:
        return root
    here = (cwd or Path.cwd()).resolve()
    return here if path.is_relative_to(here) else path.parent


def _marked_root(here: Path) -> tuple[Path | None, Path | None]:
    first: Path | None = None
    for folder in (here, *here.parents):
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            first = first or folder
            if _has_table(pyproject):
                return folder, pyproject
        if (folder / ".git").exists():
            return first or folder, None
    return first, None


def _has_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # read again, with its error, if it is the project's own file
    tool = data.get("tool")
    return isinstance(tool, dict) and "onex" in tool


def load_project_settings(
    start: Path | None = None, environ: Mapping[str, str] | None = None
) -> ProjectSettings:
    """The settings of the project around `start` (default: the current folder).

    Raises ProjectSettingsError with `file:line: [tool.onex].key: message` lines.
    """
    env = os.environ if environ is None else environ
    root, source = find_project_root(start)
    table = _read_table(source) if source else _Table()
    here = Path.cwd()
    values = {
        "scenario_roots": _paths(root, table.scenario_roots),
        "bases": _paths(root, table.bases),
        "allowed_paths": _paths(root, table.allowed_paths),
    }
    for key in values:
        text = env.get(ENVIRONMENT[key], "")
        if text:
            values[key] = _paths(here, [part for part in text.split(os.pathsep) if part])
    backend = env.get(ENVIRONMENT["backend"]) or table.backend
    if backend is not None and backend not in BACKENDS:
        raise ProjectSettingsError(
            f"<environment>: {ENVIRONMENT['backend']}: expected one of {', '.join(BACKENDS)}, "
            f"got {backend!r}"
        )
    reports_env = env.get(ENVIRONMENT["reports"])
    reports = (here / reports_env) if reports_env else (root / table.reports)
    profiles = {name: (root / path).resolve() for name, path in table.profiles.items()}
    missing = [f"{name} = {path}" for name, path in profiles.items() if not path.is_file()]
    if missing and source is not None:
        line = _line_of(source.read_text(encoding="utf-8"), ("profiles",))
        raise ProjectSettingsError(
            f"{source}:{line}: {TABLE}.profiles: no such file: {'; '.join(missing)}"
        )
    return ProjectSettings(
        root=root,
        source=source,
        scenario_roots=values["scenario_roots"],
        bases=values["bases"],
        backend=backend,
        reports=reports.resolve(),
        profiles=profiles,
        allowed_paths=values["allowed_paths"],
        servers=table.servers,
    )


def _paths(base: Path, texts: list[str]) -> tuple[Path, ...]:
    return tuple((base / text).resolve() for text in texts)


def _read_table(source: Path) -> _Table:
    text = source.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectSettingsError(f"{source}: not valid TOML: {exc}") from exc
    raw = data["tool"]["onex"]
    if not isinstance(raw, dict):
        raise ProjectSettingsError(f"{source}: {TABLE} must be a table")
    try:
        return _Table.model_validate(raw)
    except ValidationError as exc:
        lines = [_problem(source, text, error) for error in exc.errors()]
        raise ProjectSettingsError("\n".join(lines)) from None


def _problem(source: Path, text: str, error: Mapping[str, object]) -> str:
    loc = tuple(str(part) for part in error["loc"])  # type: ignore[attr-defined]
    where = ".".join(loc)
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(loc[-1], list(_Table.model_fields), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        known = ", ".join(_Table.model_fields)
        message = f"unknown key '{loc[-1]}'{hint} (known: {known})"
    else:
        message = f"{message[:1].lower()}{message[1:]}, got {error.get('input')!r}"
    return f"{source}:{_line_of(text, loc)}: {TABLE}.{where}: {message}"


def _line_of(text: str, loc: tuple[str, ...]) -> int:
    """The line where `loc[0]` is set inside `[tool.onex]` (or its sub-table), else the header."""
    lines = text.splitlines()
    header = 0
    inside = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped in (TABLE, f"[tool.onex.{loc[0]}]") if loc else stripped == TABLE
            if inside and not header:
                header = number
            if loc and stripped == f"[tool.onex.{loc[0]}]":
                return number
            continue
        if inside and loc and re.match(rf"\s*\"?{re.escape(loc[0])}\"?\s*=", line):
            return number
    return header or 1


def shown(path: Path, cwd: Path | None = None) -> Path:
    """`path` relative to the current folder when it lies inside it (messages stay short)."""
    here = (cwd or Path.cwd()).resolve()
    return path.relative_to(here) if path.is_relative_to(here) else path


def default_targets(settings: ProjectSettings) -> list[Path]:
    """The scenario roots that exist, as `onex run` and `onex scenarios` read them by default.

    Raises ProjectSettingsError naming where it looked when none does.
    """
    found = [shown(root) for root in settings.scenario_roots if root.is_dir()]
    if not found:
        looked = ", ".join(str(shown(root)) for root in settings.scenario_roots)
        raise ProjectSettingsError(
            f"no PATHS given and no scenario folder ({looked}); name the scenario files or "
            f"folders, or set scenario_roots in {TABLE} of {PYPROJECT}"
        )
    return found


_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)")


def read_profile(path: Path) -> dict[str, str]:
    """The `KEY=VALUE` lines of a profile file (`#` comments, blank lines, quoted values)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectSettingsError(f"{path}: cannot read the profile: {exc}") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        found = _ASSIGNMENT.fullmatch(stripped.removeprefix("export "))
        if found is None:
            raise ProjectSettingsError(f"{path}:{number}: expected KEY=VALUE, got {stripped!r}")
        value = found.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[found.group(1)] = value
    return values


def apply_profile(values: Mapping[str, str], environ: MutableMapping[str, str]) -> list[str]:
    """Set the profile's variables that `environ` does not set (the environment wins, as it
    wins over [tool.onex]); the names that were set."""
    applied = [name for name in values if not environ.get(name)]
    for name in applied:
        environ[name] = values[name]
    return applied
