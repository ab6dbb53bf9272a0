"""`extends`: a scenario builds on a base file, which may build on another.

`extends: base:<name>` looks for `<name>.yaml` in the nearest `_bases/` folder above the file (then
further up), then in the extra base directories the caller gives; any other value is a path
relative to the file. The base is merged under the file: mappings merge deeply, everything else
(lists included) is replaced, and `null` drops a key the base set. Parsed files and merged bases are
cached per `Inheritance` instance, so a run over many scenarios parses each base once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onex_scenario.checks import suggestion
from onex_scenario.errors import ScenarioValidationError, ValidationIssue
from onex_scenario.interpolation import interpolate_text
from onex_scenario.yaml_source import SourceMap, as_mapping, read_yaml_file

BASES_DIR = "_bases"
NAMED_BASE_PREFIX = "base:"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Layered:
    """A document with its whole `extends` chain merged in."""

    data: dict[str, Any]
    source_map: SourceMap
    chain: tuple[Path, ...]
    """The file itself, then each base it builds on, nearest first."""


def deep_merge(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """`child` over `base`: mappings merge recursively, other values replace, None deletes."""
    merged = dict(base)
    for key, value in child.items():
        below = base.get(key)
        if value is None and key in base:
            del merged[key]
        elif isinstance(value, dict) and isinstance(below, dict):
            merged[key] = deep_merge(below, value)
        else:
            merged[key] = value
    return merged


class Inheritance:
    """Reads files and resolves their `extends` chains, caching both for one load run."""

    def __init__(self, environ: Mapping[str, str], base_dirs: Sequence[Path] = ()) -> None:
        self._environ = environ
        self._base_dirs = tuple(Path(d) for d in base_dirs)
        self._raw: dict[Path, tuple[dict[str, Any], SourceMap]] = {}
        self._layered: dict[Path, Layered] = {}
        self._bases_near: dict[Path, tuple[Path, ...]] = {}

    def read(self, path: Path) -> tuple[dict[str, Any], SourceMap]:
        """The file's own mapping and positions (cached)."""
        key = _key(path)
        cached = self._raw.get(key)
        if cached is None:
            data, source_map = read_yaml_file(path, _display(path))
            cached = (as_mapping(data, source_map, "scenario keys"), source_map)
            self._raw[key] = cached
        return cached

    def resolve(self, path: Path) -> Layered:
        """`path` with its bases merged in; raises `ScenarioValidationError` naming the chain."""
        return self._resolve(path, ())

    def _resolve(self, path: Path, stack: tuple[tuple[Path, str], ...]) -> Layered:
        key = _key(path)
        cached = self._layered.get(key)
        if cached is not None:
            return cached
        data, source_map = self.read(path)
        reference = data.get("extends")
        if reference is None:
            layered = Layered(data, source_map, (path,))
        else:
            here = (*stack, (key, _display(path)))
            base_path = self._base_path(path, reference, source_map, here)
            base_key = _key(base_path)
            if any(seen == base_key for seen, _ in here):
                chain = " → ".join([*(name for _, name in here), _display(base_path)])
                raise _at_extends(source_map, f"extends cycle: {chain}")
            base = self._resolve(base_path, here)
            layered = Layered(
                deep_merge(base.data, data),
                base.source_map.merged_with(source_map),
                (path, *base.chain),
            )
        self._layered[key] = layered
        return layered

    def _base_path(
        self,
        path: Path,
        reference: object,
        source_map: SourceMap,
        here: tuple[tuple[Path, str], ...],
    ) -> Path:
        if not isinstance(reference, str) or not reference.strip():
            raise _at_extends(
                source_map,
                "expected a named base such as base:kafka_real or a path such as "
                f"../_bases/kafka_real.yaml, got {reference!r}",
            )
        try:
            reference = interpolate_text(reference, self._environ).strip()
        except ValueError as exc:
            raise _at_extends(source_map, str(exc)) from None
        chain = " → ".join([*(name for _, name in here), reference])
        if reference.startswith(NAMED_BASE_PREFIX):
            name = reference[len(NAMED_BASE_PREFIX) :].strip()
            if not name or "/" in name or "\\" in name or name.startswith("."):
                raise _at_extends(
                    source_map, f"expected base:<name> with a plain name, got {reference!r}"
                )
            folders = [*self._bases_folders(path.parent), *self._base_dirs]
            for folder in folders:
                for suffix in YAML_SUFFIXES:
                    candidate = folder / f"{name}{suffix}"
                    if candidate.is_file():
                        return _normal(candidate)
            known = sorted(
                {
                    p.stem
                    for folder in folders
                    if folder.is_dir()
                    for p in folder.iterdir()
                    if p.suffix in YAML_SUFFIXES
                }
            )
            looked = (
                ", ".join(_display(folder) for folder in folders)
                or f"no {BASES_DIR}/ folder above the file"
            )
            raise _at_extends(
                source_map,
                f"base '{name}' not found ({chain}); looked in: {looked}" + suggestion(name, known),
            )
        candidate = _normal(path.parent / reference)
        if not candidate.is_file():
            raise _at_extends(source_map, f"base file not found: {_display(candidate)} ({chain})")
        return candidate

    def _bases_folders(self, directory: Path) -> tuple[Path, ...]:
        key = _key(directory)
        found = self._bases_near.get(key)
        if found is None:
            folders: list[Path] = []
            current = Path(os.path.abspath(directory))
            while True:
                candidate = current / BASES_DIR
                if candidate.is_dir():
                    shown = (
                        candidate if directory.is_absolute() else Path(os.path.relpath(candidate))
                    )
                    folders.append(shown)
                if current.parent == current or (current / ".git").exists():
                    break
                current = current.parent
            found = tuple(folders)
            self._bases_near[key] = found
        return found


def _at_extends(source_map: SourceMap, message: str) -> ScenarioValidationError:
    where = source_map.value_position(("extends",))
    return ScenarioValidationError(
        [ValidationIssue(where.file, where.line, where.column, "extends", message)]
    )


def _key(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _normal(path: Path) -> Path:
    return Path(os.path.normpath(path))


def _display(path: Path) -> str:
    return str(path)
