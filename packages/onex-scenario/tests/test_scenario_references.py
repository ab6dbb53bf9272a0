"""Runtime resolution of `${steps.<id>.<field>}` references."""

from __future__ import annotations

import pytest
from onex_scenario import (
    ReferenceResolutionError,
    StepReference,
    iter_references,
    resolve_references,
)

pytestmark = pytest.mark.unit

OUTPUTS: dict[str, dict[str, object]] = {
    "place": {"correlation_id": "c-1", "offset": 7},
    "process": {"output": {"processed": 1, "items": [{"id": "o-1"}, {"id": "o-2"}], "ok": True}},
}


def test_a_whole_string_reference_keeps_the_value_type() -> None:
    assert resolve_references("${steps.place.offset}", OUTPUTS) == 7
    assert resolve_references("${steps.process.output}", OUTPUTS) == OUTPUTS["process"]["output"]
    assert resolve_references("${steps.process.output.items.1.id}", OUTPUTS) == "o-2"


def test_references_inside_text_become_text() -> None:
    assert (
        resolve_references("cid=${steps.place.correlation_id}/${steps.place.offset}", OUTPUTS)
        == "cid=c-1/7"
    )
    assert resolve_references("ok=${steps.process.output.ok}", OUTPUTS) == "ok=true"
    assert resolve_references("x ${steps.process.output.items.0}", OUTPUTS) == 'x {"id": "o-1"}'


def test_containers_are_resolved_recursively_and_keys_left_alone() -> None:
    value = {
        "${steps.place.offset}": ["${steps.place.correlation_id}", 3, None],
        "t": ("${steps.place.offset}",),
    }
    assert resolve_references(value, OUTPUTS) == {
        "${steps.place.offset}": ["c-1", 3, None],
        "t": (7,),
    }


def test_escapes_and_other_placeholders_are_kept() -> None:
    assert resolve_references("$${steps.place.offset}", OUTPUTS) == "${steps.place.offset}"
    assert resolve_references("${HOME} $5", OUTPUTS) == "${HOME} $5"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("${steps.ship.id}", "no outputs of step 'ship' (steps with outputs: place, process)"),
        ("${steps.place.nope}", "steps.place has no field 'nope' (fields: correlation_id, offset)"),
        (
            "${steps.process.output.items.5}",
            "steps.process.output.items is a list of 2 items; '5' is not an index of it",
        ),
        ("${steps.place.offset.x}", "steps.place.offset is int '7', it has no field 'x'"),
        (
            "${steps.place}",
            "malformed reference ${steps.place}: expected ${steps.<step id>.<field>[.<field>...]}",
        ),
    ],
)
def test_unresolvable_references_say_why(text: str, reason: str) -> None:
    with pytest.raises(ReferenceResolutionError) as caught:
        resolve_references({"a": [text]}, OUTPUTS)
    assert caught.value.reason == reason
    assert str(caught.value) == f"{caught.value.reference}: {reason}"


def test_iter_references_parses_and_skips_escapes() -> None:
    assert list(iter_references("a ${steps.x.y.z} $${steps.q.r} ${ENV}")) == [
        StepReference("${steps.x.y.z}", "x", ("y", "z"))
    ]
    with pytest.raises(ValueError, match="malformed reference"):
        list(iter_references("${steps.x}"))
