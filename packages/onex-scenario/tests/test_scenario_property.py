"""Property: a mangled scenario always gives ScenarioValidationError, never another exception.

Valid scenarios are generated, then exactly one mutation is applied that makes them invalid for
sure (broken YAML, a wrong type, an unknown or missing key, an impossible value, a broken
document). The loader must refuse each with its own error, located at a line and column.
"""

from __future__ import annotations

import copy
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from onex_scenario import ScenarioValidationError
from onex_scenario.loader import ScenarioLoader

pytestmark = pytest.mark.unit

Doc = dict[str, Any]
KeyPath = tuple[str | int, ...]
ISSUE_LINE = re.compile(r"^.+:\d+:\d+: \S.*: .+$")

names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
texts = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_characters="${}\x85\u2028\u2029", exclude_categories=("Cs", "Cc")
    ),
    max_size=20,
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), texts)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)
topics = st.from_regex(r"[a-z][a-z0-9._-]{0,15}", fullmatch=True)
durations = st.sampled_from(["500ms", "5s", "2m", 1, 2.5])


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Doc, list[KeyPath]]:
    """A valid unit-tier scenario and the paths of its closed (schema-checked) mappings."""
    closed: list[KeyPath] = [()]
    doc: Doc = {"name": draw(names), "node": "examples.nodes:Node"}
    if draw(st.booleans()):
        doc["description"] = draw(texts)
    if draw(st.booleans()):
        doc["tags"] = draw(st.lists(names, max_size=3))
    services = draw(
        st.lists(st.sampled_from(["kafka", "postgres", "redis"]), unique=True, max_size=3)
    )
    if services:
        doc["external_services"] = {kind: {"kind": kind} for kind in services}
        closed += [("external_services", kind) for kind in services]
    topic_names = draw(st.lists(topics, unique=True, max_size=3))
    if topic_names:
        doc["resources"] = {
            "kafka": {
                "topics": [{"name": t, "partitions": draw(st.integers(1, 12))} for t in topic_names]
            }
        }
        closed += [("resources",), ("resources", "kafka")]
        closed += [("resources", "kafka", "topics", i) for i in range(len(topic_names))]
    steps: list[Doc] = []
    calls: list[str] = []
    for index in range(draw(st.integers(1, 5))):
        step_id = f"s{index}"
        kind = draw(
            st.sampled_from(["call", "publish", "expect_event", "wait", "expect_key", "expect_row"])
        )
        step: Doc = {"id": step_id}
        earlier = [s["id"] for s in steps]
        if kind == "call":
            step["call"] = draw(st.sampled_from(["run", "process_next", "handle"]))
            if draw(st.booleans()):
                step["kwargs"] = {"value": draw(json_values)}
            calls.append(step_id)
        elif kind == "publish":
            step["publish"] = {
                "topic": draw(topics),
                "key": draw(names),
                "value": draw(json_values),
            }
        elif kind == "expect_event":
            spec: Doc = {
                "topic": draw(topics),
                "within": draw(durations),
                "value": draw(json_values),
            }
            use_reference = draw(st.booleans())
            if earlier and use_reference:
                spec["correlation_id"] = (
                    f"${{steps.{draw(st.sampled_from(earlier))}.correlation_id}}"
                )
            step["expect_event"] = spec
        elif kind == "wait":
            step["wait"] = draw(durations)
        elif kind == "expect_key":
            step["expect_key"] = {"key": draw(names), "value": draw(json_values)}
        else:
            step["expect_row"] = {"table": draw(names), "where": {"id": draw(names)}}
        if kind not in ("call", "wait"):
            closed.append(("steps", index, kind))
        closed.append(("steps", index))
        steps.append(step)
    doc["steps"] = steps
    add_output = draw(st.booleans())
    if calls and add_output:
        doc["expect"] = [
            {"output": {"step": draw(st.sampled_from(calls)), "value": draw(json_values)}}
        ]
        closed += [("expect", 0), ("expect", 0, "output")]
    if draw(st.booleans()):
        doc["metadata"] = {"owner": draw(texts), "extra": draw(json_values)}
    return doc, closed


def _get(doc: Any, path: KeyPath) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _typed_leaves(doc: Doc) -> list[tuple[KeyPath, list[Any]]]:
    """Leaves with a declared type, and values of a type or form they never accept."""
    leaves: list[tuple[KeyPath, list[Any]]] = [
        (("name",), [["list"], 12, True, {"a": 1}, "has space", ""]),
        (("node",), ["not a path", 5, ["x"]]),
        (("steps",), ["text", {"a": 1}, 3]),
        (("cleanup_after",), ["perhaps", [1], {"a": 1}]),
        (("dependency_mode",), ["sometimes", 1, ["real"]]),
        (("tier",), ["bogus", 3]),
    ]
    for index, step in enumerate(doc["steps"]):
        leaves.append(
            (("steps", index, "id"), [123, "9starts_with_digit", "with space", None, ["a"]])
        )
        if "wait" in step:
            leaves.append((("steps", index, "wait"), ["soon", -1, True, [1]]))
        if "publish" in step:
            leaves.append((("steps", index, "publish", "topic"), ["bad topic!", [1], {}, None]))
        if "expect_event" in step:
            leaves.append((("steps", index, "expect_event", "within"), ["later", -5, False]))
            leaves.append((("steps", index, "expect_event", "match"), ["fuzzy", 2]))
        if "call" in step:
            leaves.append((("steps", index, "call"), ["not-an-identifier", 7, {"a": 1}]))
    for index, _ in enumerate(doc.get("resources", {}).get("kafka", {}).get("topics", [])):
        leaves.append((("resources", "kafka", "topics", index, "partitions"), ["many", 0, -2, [1]]))
    for kind in doc.get("external_services", {}):
        leaves.append((("external_services", kind, "kind"), ["kafak", 1, None]))
    return leaves


def _required(doc: Doc) -> list[KeyPath]:
    paths: list[KeyPath] = [("name",)]
    for index, step in enumerate(doc["steps"]):
        paths.append(("steps", index, "id"))
        action = next(k for k in step if k not in {"id", "kwargs"})
        paths.append(("steps", index, action))
        required = {
            "publish": "topic",
            "expect_event": "topic",
            "expect_key": "key",
            "expect_row": "table",
        }
        if action in required:
            paths.append(("steps", index, action, required[action]))
    paths += [("external_services", kind, "kind") for kind in doc.get("external_services", {})]
    if "expect" in doc:
        paths += [("expect", 0, "output", "step"), ("expect", 0, "output", "value")]
    return paths


Draw = Callable[[st.SearchStrategy[Any]], Any]
Mutation = Callable[[Doc, list[KeyPath], Draw], "Doc | bytes"]


def _dump(doc: Doc) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode("utf-8")


def wrong_type(doc: Doc, closed: list[KeyPath], draw: Draw) -> Doc:
    path, bad_values = draw(st.sampled_from(_typed_leaves(doc)))
    parent = _get(doc, path[:-1])
    parent[path[-1]] = draw(st.sampled_from(bad_values))
    return doc


def unknown_key(doc: Doc, closed: list[KeyPath], draw: Draw) -> Doc:
    target = _get(doc, draw(st.sampled_from(closed)))
    target[draw(st.from_regex(r"zz[a-z_]{1,8}", fullmatch=True))] = draw(json_values)
    return doc


def missing_key(doc: Doc, closed: list[KeyPath], draw: Draw) -> Doc:
    path = draw(st.sampled_from(_required(doc)))
    del _get(doc, path[:-1])[path[-1]]
    return doc


def impossible_value(doc: Doc, closed: list[KeyPath], draw: Draw) -> Doc:
    choice = draw(
        st.sampled_from(
            [
                "dup_id",
                "later_ref",
                "unset_env",
                "missing_base",
                "missing_sql",
                "real_in_unit",
                "bad_ref",
            ]
        )
    )
    steps = doc["steps"]
    if choice == "dup_id" and len(steps) > 1:
        steps[-1]["id"] = steps[0]["id"]
    elif choice == "later_ref":
        steps[0].setdefault("description", "")
        steps[0]["description"] = f"${{steps.s{len(steps) + draw(st.integers(0, 3))}.output}}"
    elif choice == "unset_env":
        doc["description"] = f"{draw(texts)}${{ONEX_HYPOTHESIS_UNSET_{draw(st.integers(0, 99))}}}"
    elif choice == "missing_base":
        doc["extends"] = f"base:no_such_base_{draw(names)}"
    elif choice == "missing_sql":
        doc["resources"] = {"postgres": {"schema": f"missing_{draw(names)}.sql"}}
    elif choice == "real_in_unit":
        doc["external_services"] = {"kafka": {"kind": "kafka", "dependency_mode": "real"}}
    else:
        steps[-1]["description"] = "${steps.}"
    return doc


def broken_yaml(doc: Doc, closed: list[KeyPath], draw: Draw) -> bytes:
    text = _dump(doc)
    variant = draw(
        st.sampled_from(["unterminated", "sequence_first", "unclosed_flow", "tab", "bad_utf8"])
    )
    if variant == "unterminated":
        tail: str = draw(texts)
        return text + b'zz_broken: "' + tail.encode("utf-8") + b"\n"
    if variant == "sequence_first":
        return b"- not a mapping entry\n" + text
    if variant == "unclosed_flow":
        return text + b"zz_broken: {a: [1, 2\n"
    if variant == "tab":
        return text + b"zz_broken:\n\t- 1\n"
    cut = draw(st.integers(0, len(text)))
    return text[:cut] + b"\xff\xfe" + text[cut:]


def broken_document(doc: Doc, closed: list[KeyPath], draw: Draw) -> bytes:
    variant = draw(
        st.sampled_from(
            [
                "empty",
                "list",
                "scalar",
                "duplicate",
                "int_key",
                "bool_key",
                "python_tag",
                "two_docs",
            ]
        )
    )
    text = _dump(doc)
    documents = {
        "empty": b"",
        "list": _dump({"x": [doc]})[3:],  # "- ..." list at the root
        "scalar": b"just some text\n",
        "duplicate": text + b"name: again\n",
        "int_key": text + b"1: one\n",
        "bool_key": text + b"yes: no\n",
        "python_tag": text + b"zz: !!python/object/apply:os.getcwd []\n",
        "two_docs": text + b"---\nname: second\n",
    }
    return documents[variant]


MUTATIONS: list[Mutation] = [
    impossible_value,
    unknown_key,
    missing_key,
    broken_yaml,
    broken_document,
    wrong_type,
]


def _load(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "unit" / "scenario.yaml"
        path.parent.mkdir()
        path.write_bytes(content)
        ScenarioLoader(environ={}).load(path)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_are_valid(generated: tuple[Doc, list[KeyPath]]) -> None:
    doc, _ = generated
    _load(_dump(doc))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.sampled_from(MUTATIONS), st.data())
def test_mangled_scenarios_always_fail_with_validation_errors(
    generated: tuple[Doc, list[KeyPath]], mutation: Mutation, data: st.DataObject
) -> None:
    doc, closed = generated
    event(mutation.__name__)
    if mutation is impossible_value and len(doc["steps"]) == 1:
        doc["steps"].append({"id": "s1", "wait": 1})
    mangled = mutation(copy.deepcopy(doc), closed, data.draw)
    content = mangled if isinstance(mangled, bytes) else _dump(mangled)
    with pytest.raises(ScenarioValidationError) as caught:
        _load(content)
    assert caught.value.issues
    for issue in caught.value.issues:
        assert issue.line >= 1, issue
        assert issue.column >= 1, issue
        assert ISSUE_LINE.match(str(issue)), str(issue)
