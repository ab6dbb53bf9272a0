"""Which folders a scenario may name files in (`extends`, `resources.postgres.schema`, `seed`).

A scenario is read from a repository that may not be the reader's own; a path such as
`schema: ../../../../etc/passwd` or a symlink pointing out must not make the harness read, run
or print a file outside the project. A path is allowed when, with every symlink followed, it lies
inside one of:
- the project root of the file that names it (nearest folder upward with a pyproject.toml or a
  `.git`, see `project_settings`; without one, the file's own folder);
- a scenario root given to the loader (the folders on the command line: `onex run <folder>`);
- a base folder given to the loader (`--bases`);
- a folder allowed explicitly: `allowed_paths` in `[tool.onex]` (or `ONEX_ALLOWED_PATHS`), and
  `--allow-path` on the command line.

An escape is a validation error at the value's file:line; its message names the path and the
allowed folders, never what the file holds.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from onex_scenario.project_settings import (
    ProjectSettingsError,
    find_project_root,
    load_project_settings,
)


class PathConfinement:
    """The allowed folders, with the project of each folder looked up once."""

    def __init__(
        self, allowed: Iterable[Path | str] = (), environ: Mapping[str, str] | None = None
    ) -> None:
        self._allowed = tuple(Path(p).resolve() for p in allowed)
        self._environ = os.environ if environ is None else environ
        self._projects: dict[Path, tuple[Path, ...]] = {}

    def with_roots(self, roots: Iterable[Path | str]) -> PathConfinement:
        """The same confinement with more allowed folders (scenario roots, base folders)."""
        wider = PathConfinement((*self._allowed, *roots), self._environ)
        wider._projects = self._projects
        return wider

    def _project_folders(self, folder: Path) -> tuple[Path, ...]:
        """The project root around `folder` and the `allowed_paths` its settings name."""
        if folder not in self._projects:
            root, _ = find_project_root(folder)  # without a marker: `folder` itself
            folders = [root]
            # A broken [tool.onex] is reported where the run reads its settings, not per file.
            with contextlib.suppress(ProjectSettingsError):
                folders += load_project_settings(root, self._environ).allowed_paths
            self._projects[folder] = tuple(folders)
        return self._projects[folder]

    def problem(self, declared_in: Path, value: str) -> str | None:
        """None when `value` (absolute, as the loader made it) may be read; else why not."""
        target = Path(value).resolve()
        allowed = (*self._project_folders(declared_in.resolve().parent), *self._allowed)
        if any(target.is_relative_to(folder) for folder in allowed):
            return None
        shown = ", ".join(str(f) for f in dict.fromkeys(allowed)) or "none"
        return (
            f"{value} is outside the project and the allowed folders ({shown}); name a file "
            "inside them, or allow its folder with `allowed_paths` in [tool.onex] or --allow-path"
        )
