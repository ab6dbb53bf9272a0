"""Messages a person can act on: look-alike keys told apart, limits named, no error hidden."""

from __future__ import annotations

import pytest

from conftest import Tree

pytestmark = pytest.mark.unit


def test_did_you_mean_shows_an_invisible_character_in_the_key(tree: Tree) -> None:
    tree.write("unit/x.yaml", "name: x\nsteps\u200b: []\n")
    [issue] = tree.issues("unit/x.yaml")
    assert issue.message == "unknown key 'steps\\u200b'; did you mean 'steps'?"
    assert "\u200b" not in str(issue)


def test_did_you_mean_shows_a_confusable_letter_in_the_key(tree: Tree) -> None:
    tree.write("unit/x.yaml", "name: x\nst\u0435ps: []\n")  # a Cyrillic e
    [message] = tree.messages("unit/x.yaml")
    assert message.endswith("unknown key 'st\\u0435ps'; did you mean 'steps'?")


def test_the_topic_name_error_names_the_limit_and_the_legal_characters(tree: Tree) -> None:
    tree.write("unit/x.yaml", "name: x\nsteps:\n  - {id: a, publish: {topic: 'bad topic'}}\n")
    [message] = tree.messages("unit/x.yaml")
    assert "[a-zA-Z0-9._-]" in message
    assert "200" in message
    assert "249" in message


def test_an_unknown_key_is_reported_even_when_its_value_fails_interpolation(tree: Tree) -> None:
    tree.write("unit/x.yaml", "name: x\nnodee: ${UNSET_VARIABLE}\n")
    messages = tree.messages("unit/x.yaml", environ={})
    assert any("unknown key 'nodee'; did you mean 'node'?" in m for m in messages), messages
    assert any("UNSET_VARIABLE" in m for m in messages), messages
