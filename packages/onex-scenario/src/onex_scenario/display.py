"""Values from scenarios and services made safe to show: text, never markup or terminal codes.

A value a scenario publishes or a service returns may hold Rich markup (`[/]`, `[bold]`), emoji
codes (`:x:`), ANSI escapes (`ESC[31m`) or invisible characters (`\\u200b`). Shown as they are,
they crash the renderer, change what the reader sees, or make two different keys look the same.
Every console writer builds its lines with `plain_text`; messages naming a key use `show_key`.
"""

from __future__ import annotations

import os
import unicodedata

from rich.text import Text

from onex_scenario.redaction import known_secrets, redact_text

# Control, format (zero-width, bidi overrides), surrogate, private-use, unassigned, and line or
# paragraph separators: none of them shows as itself on a terminal.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_KEPT = frozenset("\n\t")


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _hidden(char: str) -> bool:
    if char in _KEPT:
        return False
    category = unicodedata.category(char)
    # Spaces other than the plain one (no-break, ideographic, …) look like it and are not it.
    return category in _HIDDEN_CATEGORIES or (category == "Zs" and char != " ")


def printable(text: str) -> str:
    """`text` with every character that does not show as itself written as an escape (`\\x1b`,
    `\\u200b`); newlines and tabs are kept."""
    return "".join(_escape(c) if _hidden(c) else c for c in text)


def show_key(key: str) -> str:
    """A key for a message, quoted, with every non-ASCII character escaped: keys of a scenario
    are ASCII, so a look-alike (a Cyrillic a, a zero-width space) must not look the same."""
    return "'" + "".join(c if c.isascii() and c.isprintable() else _escape(c) for c in key) + "'"


def log_text(text: str) -> str:
    """A service's log (or any text a service wrote) for a terminal or a report: secrets
    redacted (the harness's own secret settings too), hidden characters escaped, lines kept."""
    return printable(redact_text(text, known_secrets(os.environ)))


def plain_text(value: object, style: str = "") -> Text:
    """A Rich `Text` of `value` (secrets redacted, hidden characters escaped) that Rich prints
    as it is: no markup, no emoji codes, no highlighting."""
    return Text(log_text(str(value)), style=style)
