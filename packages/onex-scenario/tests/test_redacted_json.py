"""`redacted_json` (the event stream's writer) gives exactly the JSON of `redact`: its shortcut
(encode once, redact only text that could hold a secret) never lets one through."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onex_scenario.redaction import redact, redacted_json

pytestmark = pytest.mark.unit

KNOWN = ["hunter2", 'qu"ote\\d', "ünïcødé-pw"]


def _expected(value: Any, known: list[str]) -> str:
    return json.dumps(redact(value, known), ensure_ascii=False, separators=(",", ":"), default=str)


@pytest.mark.parametrize(
    "value",
    [
        {"type": "step", "outcome": "passed", "key": "k", "value": {"n": 1}},
        {"password": "pw", "user": "u"},
        {"pa\u017f\u017fword": "pw"},  # long s: the key pattern ignores case the Unicode way
        {"\uff30\uff21\uff33\uff33word": "pw", "to\u212aen": "t", "pr\u0131vate_key": "k"},
        {"credentials": {"user": "u", "pass": "p"}},
        {"dsn": "postgresql://u:pw@h/db"},
        {"header": "Authorization: Bearer abc.def"},
        {"message": "the driver said hunter2 was wrong"},
        {"message": 'a secret with a quote: qu"ote\\d'},
        {"message": "ünïcødé-pw in the text"},
        {"steps": [("tuple", "hunter2"), {"api-key": "k"}], "when": date(2026, 12, 2)},
        {1: "an int key", "n": None, "f": 1.5, "b": True},
    ],
)
def test_each_case_is_redacted_as_redact_does(value: Any) -> None:
    assert redacted_json(value, KNOWN) == _expected(value, KNOWN)


_WORDS = st.sampled_from(
    ["id", "key", "outcome", "passed", "password", "Token", "api_key", "x", "\u017fecret", "bearer"]
)
_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["hunter2", "redis://:pw@h:1/0", "Bearer t0k", "token=abc", 'qu"ote\\d']),
)
_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_WORDS, st.text(max_size=8)), inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=300, derandomize=True)
@given(_VALUES)
def test_any_value_is_redacted_as_redact_does(value: Any) -> None:
    assert redacted_json(value, KNOWN) == _expected(value, KNOWN)
