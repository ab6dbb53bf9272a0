"""`extends`: a scenario builds on a base file, which may build on another.

`extends: base:<name>` looks for `<name>.yaml` in the nearest `_bases/` folder above the file (then
further up, not past the repository root), then in the extra base directories the caller gives,
then among the bases shipped in this package (`SHIPPED_BASES`: mock_only, kafka_real, all_real),
so a project outside this repository finds them too; any other value is a path relative to the
file. The base is merged under the file: mappings merge deeply, everything else (lists included)
is replaced, and `null` drops a key the base set.

Each file is read, parsed and interpolated once per `Inheritance` instance (bases are shared by
many scenarios). Positions are not computed while loading: `Layered.source_map` parses the chain
again with positions only when something has to be pointed at, which keeps valid files fast.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from onex_scenario.checks import suggestion
from onex_scenario.confinement import PathConfinement
from onex_scenario.errors import (
    KeyPath,
    ScenarioValidationError,
    ValidationIssue,
    format_key_path,
)
from onex_scenario.interpolation import interpolate_data, interpolate_in_place
from onex_scenario.source_map import SourceMap
from onex_scenario.yaml_files import as_mapping, read_yaml_text
from onex_scenario.yaml_source import Template, parse_yaml_data, parse_yaml_text

BASES_DIR = "_bases"
SHIPPED_BASES = Path(__file__).resolve().parent / "bases"
"""The named bases every project gets, looked up after its own."""
NAMED_BASE_PREFIX = "base:"
YAML_SUFFIXES = (".yaml", ".yml")


class Document:
    """One file: its interpolated mapping, and its positions on demand."""

    __slots__ = ("_source_map", "data", "file", "path", "problems", "text")

    def __init__(
        self, path: Path, text: str, data: dict[str, Any], problems: list[tuple[KeyPath, str]]
    ) -> None:
        self.path = path
        self.file = str(path)
        self.text = text
        self.data = data
        self.problems = problems
        """(key path, message) of values whose interpolation failed."""
        self._source_map: SourceMap | None = None

    @property
    def source_map(self) -> SourceMap:
        if self._source_map is None:
            self._source_map = parse_yaml_text(self.text, self.file)[1]
        return self._source_map

    def issue(self, path: KeyPath, message: str) -> ValidationIssue:
        where = self.source_map.value_position(path)
        return ValidationIssue(where.file, where.line, where.column, format_key_path(path), message)


class Layered:
    """A document with its whole `extends` chain merged in."""

    __slots__ = ("_source_map", "data", "layers")

    def __init__(self, data: dict[str, Any], layers: tuple[Document, ...]) -> None:
        self.data = data
        self.layers = layers
        """The file itself, then each base it builds on, nearest first."""
        self._source_map: SourceMap | None = None

    @property
    def chain(self) -> tuple[Path, ...]:
        return tuple(layer.path for layer in self.layers)

    @property
    def source_map(self) -> SourceMap:
        """Positions of the merged document (each entry names its own file)."""
        if self._source_map is None:
            merged = self.layers[-1].source_map
            for layer in reversed(self.layers[:-1]):
                merged = merged.merged_with(layer.source_map)
            self._source_map = merged
        return self._source_map

    def interpolation_issues(self) -> list[ValidationIssue]:
        """Failed `${VAR}` interpolations of every file in the chain."""
        return [
            layer.issue(path, message) for layer in self.layers for path, message in layer.problems
        ]

    def declared_in(self, path: KeyPath) -> Document:
        """The nearest file of the chain that sets `path` (the file itself when none does)."""
        for layer in self.layers:
            current: Any = layer.data
            for part in path:
                if not isinstance(current, dict) or part not in current:
                    break
                current = current[part]
            else:
                return layer
        return self.layers[0]


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

    def __init__(
        self,
        environ: Mapping[str, str],
        base_dirs: Sequence[Path] = (),
        confinement: PathConfinement | None = None,
    ) -> None:
        self._environ = environ
        self._base_dirs = tuple(Path(d) for d in base_dirs)
        self._confinement = confinement or PathConfinement(self._base_dirs, environ)
        self._documents: dict[str, Document] = {}
        self._layered: dict[str, Layered] = {}
        self._bases_near: dict[str, tuple[Path, ...]] = {}
        self._named: dict[tuple[str, str], Path] = {}

    def document(self, path: Path) -> Document:
        """The file's own mapping, interpolated (cached)."""
        key = _key(path)
        cached = self._documents.get(key)
        if cached is None:
            file = str(path)
            text = read_yaml_text(path, file)
            templates: list[Template] = []
            raw = parse_yaml_data(text, file, templates)
            if not isinstance(raw, dict):
                as_mapping(raw, parse_yaml_text(text, file)[1], "scenario keys")
            problems: list[tuple[KeyPath, str]] = []
            data: object = raw
            if templates and not interpolate_in_place(templates, self._environ):
                # Something cannot be interpolated: walk a fresh copy to learn every where.
                data, problems = interpolate_data(parse_yaml_data(text, file), self._environ)
            assert isinstance(data, dict)
            cached = Document(path, text, data, problems)
            self._documents[key] = cached
        return cached

    def resolve(self, path: Path) -> Layered:
        """`path` with its bases merged in; raises `ScenarioValidationError` naming the chain."""
        return self._resolve(Path(path), ())

    def _resolve(self, path: Path, stack: tuple[tuple[str, str], ...]) -> Layered:
        key = _key(path)
        cached = self._layered.get(key)
        if cached is not None:
            return cached
        document = self.document(path)
        reference = document.data.get("extends")
        if reference is None:
            layered = Layered(document.data, (document,))
        else:
            here = (*stack, (key, document.file))
            base_path = self._base_path(document, reference, here)
            base_key = _key(base_path)
            if any(seen == base_key for seen, _ in here):
                chain = " → ".join([*(name for _, name in here), str(base_path)])
                raise _at_extends(document, f"extends cycle: {chain}")
            base = self._resolve(base_path, here)
            layered = Layered(deep_merge(base.data, document.data), (document, *base.layers))
        self._layered[key] = layered
        return layered

    def _base_path(
        self, document: Document, reference: object, here: tuple[tuple[str, str], ...]
    ) -> Path:
        for path, message in document.problems:
            if path == ("extends",):
                raise _at_extends(document, message)
        if not isinstance(reference, str) or not reference.strip():
            raise _at_extends(
                document,
                "expected a named base such as base:kafka_real or a path such as "
                f"../_bases/kafka_real.yaml, got {reference!r}",
            )
        reference = reference.strip()
        chain = " → ".join([*(name for _, name in here), reference])
        if reference.startswith(NAMED_BASE_PREFIX):
            return self._named_base(document, reference, chain)
        candidate = _normal(document.path.parent / reference)
        # Before the base is read: a path outside the allowed folders is never opened. (Named
        # bases come from the harness's own search of `_bases/` folders and `--bases`.)
        problem = self._confinement.problem(document.path, str(candidate))
        if problem is not None:
            raise _at_extends(document, f"base {problem}")
        if not candidate.is_file():
            raise _at_extends(document, f"base file not found: {candidate} ({chain})")
        return candidate

    def _named_base(self, document: Document, reference: str, chain: str) -> Path:
        key = (os.path.dirname(document.file), reference)
        found = self._named.get(key)
        if found is None:
            found = self._find_named_base(document, reference, chain)
            self._named[key] = found
        return found

    def _find_named_base(self, document: Document, reference: str, chain: str) -> Path:
        name = reference[len(NAMED_BASE_PREFIX) :].strip()
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise _at_extends(
                document, f"expected base:<name> with a plain name, got {reference!r}"
            )
        folders = [*self._bases_folders(document.path.parent), *self._base_dirs, SHIPPED_BASES]
        for folder in folders:
            for suffix in YAML_SUFFIXES:
                candidate = folder / f"{name}{suffix}"
                if candidate.is_file():
                    return _normal(candidate)
        known = sorted(
            {
                entry.stem
                for folder in folders
                if folder.is_dir()
                for entry in folder.iterdir()
                if entry.suffix in YAML_SUFFIXES
            }
        )
        looked = ", ".join(str(f) for f in folders)
        raise _at_extends(
            document,
            f"base '{name}' not found ({chain}); looked in: {looked}" + suggestion(name, known),
        )

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


def _at_extends(document: Document, message: str) -> ScenarioValidationError:
    return ScenarioValidationError([document.issue(("extends",), message)])


def _key(path: Path) -> str:
    # abspath, not realpath: no system calls per file; a cycle through a symlink is still
    # caught one step later, when the same spelling comes round again.
    return os.path.abspath(path)


def _normal(path: Path) -> Path:
    return Path(os.path.normpath(path))
