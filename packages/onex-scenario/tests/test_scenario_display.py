"""Values made safe to show: hidden characters escaped, keys with look-alikes told apart."""

from __future__ import annotations

import pytest
from onex_scenario.display import plain_text, printable, show_key
from rich.console import Console

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("steps\u200b", "steps\\u200b"),
        ("a\u00a0b", "a\\xa0b"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("café ✓", "café ✓"),
    ],
)
def test_printable_escapes_what_does_not_show_as_itself(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_show_key_tells_a_look_alike_from_the_real_key() -> None:
    assert show_key("steps") == "'steps'"
    assert show_key("st\u0435ps") == "'st\\u0435ps'"  # a Cyrillic e
    assert show_key("steps\u200b") == "'steps\\u200b'"


def test_plain_text_is_never_markup_or_emoji() -> None:
    console = Console(record=True, width=200)
    console.print(plain_text("[/] [bold]x :x: redis://:pw-1@h"))
    assert console.export_text().strip() == "[/] [bold]x :x: redis://:***@h"
