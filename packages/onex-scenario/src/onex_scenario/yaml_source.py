"""Safe YAML reading that remembers where every key and value came from.

PyYAML's constructors throw positions away; validation errors are only useful with them. So we
compose the node graph with a safe loader (libyaml's parser when available, which is what makes the
loader fast) and build plain Python data ourselves, recording the line/column of each key and value
under its key path. Only the YAML core types are accepted (no Python tags, no `!!binary`/`!!set`);
timestamps stay strings, non-string keys and duplicate keys are errors, and alias expansion is
bounded so that a "billion laughs" document cannot exhaust memory.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from onex_scenario.errors import (
    DOCUMENT,
    KeyPath,
    ScenarioValidationError,
    ValidationIssue,
    format_key_path,
)
from onex_scenario.source_map import Position, SourceMap

MAX_EXPANDED_NODES = 200_000
"""Largest number of nodes a document may expand to once aliases are followed."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted (scenarios need far fewer)."""

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_TEXT_TAGS = frozenset({_STR, _TIMESTAMP})
_SCALAR_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class _YamlProblem(Exception):
    def __init__(self, node: Node | None, path: KeyPath, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.path = path
        self.message = message


_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PositionLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """A safe loader that builds plain data (never Python objects), optionally with positions.

    With `record=False` it skips the bookkeeping of positions, which is most of the cost of
    building; callers re-parse with `record=True` when they need to point at something.
    """

    def __init__(self, text: str, file: str, *, record: bool = True) -> None:
        super().__init__(text)
        self.source_map = SourceMap(file)
        self._record = record
        self.templates: list[Template] = []
        """Fast mode: where text values containing "${" were put (container, key)."""
        self._memo: dict[int, object] = {}
        self._sizes: dict[int, int] = {}
        self._expanded = 0

    # Tag resolution is called by the composer for every node; the safe resolver has no path
    # resolvers, so collections always get the default tags and scalars can be memoised.
    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0]:  # quoted (or explicitly tagged): the safe resolver says str
                return _STR
            if value and value[0] not in _RESOLVER_STARTS:  # plain text such as a name
                return _STR
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) > 50_000:
                    _RESOLVED.clear()
                _RESOLVED[value] = tag
            return tag
        return _MAP if kind is MappingNode else _SEQ

    def descend_resolver(self, current_node: Node | None, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def _position(self, node: Node) -> Position:
        mark = node.start_mark
        return Position(self.source_map.file, mark.line + 1, mark.column + 1)

    def load_document(self) -> object:
        """The single document of the stream as plain data; None for an empty stream."""
        node = self.get_single_node()
        if node is None:
            return None
        if self._record:
            return self._build(node, (), 0)
        return self._fast(node, 0)

    # The fast builder: same rules as `_build`, no positions, scalars inlined. Any problem is
    # raised without detail; `parse_yaml_data` then re-parses with positions for the message.
    def _fast(self, node: Node, depth: int) -> object:
        if node.__class__ is ScalarNode:
            return self._build(node, (), depth)
        if depth >= MAX_DEPTH:
            raise _YamlProblem(node, (), "too deep")
        key = id(node)
        memo = self._memo
        if key in memo:
            built = memo[key]
            if built is _IN_PROGRESS:
                raise _YamlProblem(node, (), "recursive alias")
            self._count(self._sizes[key], node, ())
            return built
        memo[key] = _IN_PROGRESS
        before = self._expanded
        items = node.value
        self._expanded += 1 + len(items)
        result: object
        if node.__class__ is MappingNode and node.tag == _MAP:
            result = self._fast_mapping(items, depth)
        elif node.__class__ is SequenceNode and node.tag == _SEQ:
            result = self._fast_sequence(items, depth)
        else:
            raise _YamlProblem(node, (), "unsupported node")
        self._count(0, node, ())
        self._sizes[key] = self._expanded - before
        memo[key] = result
        return result

    def _build(self, node: Node, path: KeyPath, depth: int) -> object:
        if self._record:
            self.source_map.values[path] = self._position(node)
        if isinstance(node, ScalarNode):
            self._expanded += 1
            tag = node.tag
            if tag in _TEXT_TAGS:
                return node.value
            if tag == _INT and node.value.isdigit() and (node.value[0] != "0" or node.value == "0"):
                return int(node.value)  # plain decimal: skip the constructor machinery
            if tag in _SCALAR_TAGS:
                return self.construct_object(node)
            raise _YamlProblem(node, path, f"unsupported YAML tag {_tag_name(tag)}")
        if depth >= MAX_DEPTH:
            raise _YamlProblem(node, path, f"nested deeper than {MAX_DEPTH} levels")
        key = id(node)
        if key in self._memo:
            built = self._memo[key]
            if built is _IN_PROGRESS:
                raise _YamlProblem(node, path, "an alias refers to a node that contains it")
            self._count(self._sizes[key], node, path)
            return built
        self._memo[key] = _IN_PROGRESS
        before = self._expanded
        result: object
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                raise _YamlProblem(node, path, f"unsupported YAML tag {_tag_name(node.tag)}")
            record = self._record
            result = [
                self._build(child, (*path, index) if record else path, depth + 1)
                for index, child in enumerate(node.value)
            ]
        elif isinstance(node, MappingNode):
            result = self._mapping(node, path, depth)
        else:  # pragma: no cover - the composer only makes the three node kinds
            raise _YamlProblem(node, path, "unsupported YAML node")
        self._count(1, node, path)
        self._sizes[key] = self._expanded - before
        self._memo[key] = result
        return result

    def _fast_mapping(self, items: list[tuple[Node, Node]], depth: int) -> dict[str, object]:
        mapping: dict[str, object] = {}
        merges: list[Node] = []
        for key_node, value_node in items:
            if key_node.tag != _STR or key_node.__class__ is not ScalarNode:
                if key_node.tag == _MERGE:
                    merges.append(value_node)
                    continue
                raise _YamlProblem(key_node, (), "bad key")
            name = key_node.value
            if name in mapping:
                raise _YamlProblem(key_node, (), "duplicate key")
            if value_node.__class__ is ScalarNode and value_node.tag in _TEXT_TAGS:
                text = value_node.value
                mapping[name] = text
                if "${" in text:
                    self.templates.append((mapping, name))
            else:
                mapping[name] = self._fast(value_node, depth + 1)
        if merges:
            self._merge(mapping, merges, (), depth)
        return mapping

    def _fast_sequence(self, items: list[Node], depth: int) -> list[object]:
        sequence: list[object] = []
        for child in items:
            if child.__class__ is ScalarNode and child.tag in _TEXT_TAGS:
                text = child.value
                if "${" in text:
                    self.templates.append((sequence, len(sequence)))
                sequence.append(text)
            else:
                sequence.append(self._fast(child, depth + 1))
        return sequence

    def _count(self, amount: int, node: Node, path: KeyPath) -> None:
        self._expanded += amount
        if self._expanded > MAX_EXPANDED_NODES:
            raise _YamlProblem(
                node, path, f"the document expands to more than {MAX_EXPANDED_NODES} nodes"
            )

    def _mapping(self, node: MappingNode, path: KeyPath, depth: int) -> dict[str, object]:
        if node.tag != _MAP:
            raise _YamlProblem(node, path, f"unsupported YAML tag {_tag_name(node.tag)}")
        record = self._record
        result: dict[str, object] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            tag = key_node.tag
            if tag != _STR:
                if tag == _MERGE:
                    merges.append(value_node)
                    continue
                raise _YamlProblem(key_node, path, _key_problem(key_node))
            if not isinstance(key_node, ScalarNode):
                raise _YamlProblem(key_node, path, _key_problem(key_node))
            name = key_node.value
            child: KeyPath = (*path, name) if record else path
            if name in result:
                if not record:
                    raise _YamlProblem(key_node, child, "duplicate key")
                first = self.source_map.keys[child]
                raise _YamlProblem(
                    key_node, child, f"duplicate key {name!r} (first defined at line {first.line})"
                )
            if record:
                self.source_map.keys[child] = self._position(key_node)
            result[name] = self._build(value_node, child, depth + 1)
        if merges:
            self._merge(result, merges, path, depth)
            if record:  # building the merge sources recorded their position at `path`
                self.source_map.values[path] = self._position(node)
        return result

    def _merge(
        self, result: dict[str, object], merges: list[Node], path: KeyPath, depth: int
    ) -> None:
        """YAML merge keys (`<<: *base`): keys of the sources that the mapping does not set."""
        for merge_node in merges:
            sources = merge_node.value if isinstance(merge_node, SequenceNode) else [merge_node]
            for source in sources:
                merged = (
                    self._build(source, path, depth + 1)
                    if self._record
                    else self._fast(source, depth + 1)
                )
                if not isinstance(merged, dict):
                    raise _YamlProblem(
                        source, path, "a merge key (<<) needs a mapping or a list of mappings"
                    )
                for name, value in merged.items():
                    if name not in result:
                        result[name] = value
                        if isinstance(value, str) and "${" in value:
                            self.templates.append((result, name))


Template = tuple[Any, Any]
"""(container, key): `container[key]` is a text value that contains "${"."""

_RESOLVER_STARTS = frozenset(key for key in _SafeBase.yaml_implicit_resolvers if key)
"""First characters for which the safe resolver may give another tag than str."""
_RESOLVED: dict[str | None, str] = {}
"""Plain scalar text → resolved tag; the implicit resolvers depend on the text alone."""
_IN_PROGRESS = object()


def _key_problem(node: Node) -> str:
    if isinstance(node, ScalarNode):
        read_as = _tag_name(node.tag).lstrip("!")
        return (
            f"keys must be strings, got {node.value!r} (YAML reads it as {read_as}); "
            "quote it if it is meant as text"
        )
    return "keys must be strings, got a list or mapping as a key"


def _tag_name(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def parse_yaml_text(text: str, file: str) -> tuple[object, SourceMap]:
    """Parse one YAML document into plain data and its `SourceMap`.

    Raises `ScenarioValidationError` for syntax errors, unsupported tags, non-string or duplicate
    keys and oversized documents.
    """
    loader = PositionLoader(text, file, record=True)
    return _run(loader, text, file), loader.source_map


def parse_yaml_data(text: str, file: str, templates: list[Template] | None = None) -> object:
    """Like `parse_yaml_text` without positions (several times faster); a problem is still
    reported with its position, by parsing again with positions.

    `templates`, when given, receives (container, key) for each text value containing "${", so
    that interpolation can visit those values only.
    """
    loader = PositionLoader(text, file, record=False)
    try:
        data = _run(loader, text, file)
    except _FastProblem:
        parse_yaml_text(text, file)
        raise AssertionError("the positional parse accepted what the fast one refused") from None
    if templates is not None:
        templates.extend(loader.templates)
    return data


class _FastProblem(Exception):
    pass


def _run(loader: PositionLoader, text: str, file: str) -> object:
    try:
        return loader.load_document()
    except _YamlProblem as problem:
        if not loader._record:
            raise _FastProblem from None
        where = (
            loader._position(problem.node)
            if problem.node is not None
            else loader.source_map.value_position(problem.path)
        )
        raise ScenarioValidationError(
            [
                ValidationIssue(
                    file, where.line, where.column, format_key_path(problem.path), problem.message
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise ScenarioValidationError(
            [ValidationIssue(file, line, column, DOCUMENT, f"YAML syntax error: {what}")]
        ) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        raise ScenarioValidationError(
            [ValidationIssue(file, line, column, DOCUMENT, f"YAML syntax error: {exc.reason}")]
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioValidationError(
            [ValidationIssue(file, 1, 1, DOCUMENT, f"YAML error: {exc}")]
        ) from None
    except RecursionError:
        raise ScenarioValidationError(
            [ValidationIssue(file, 1, 1, DOCUMENT, "the document is nested too deeply")]
        ) from None
    finally:
        loader.dispose()


def _line_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
