"""Files only their owner can read (mode 0600): every report the harness writes.

Reports hold endpoints, namespaces and outputs of the system under test; secrets are redacted
before they are written, and 0600 is the second line of defence for what a pattern cannot know.
Every report is written this way, not only those that hold endpoint data: one rule is simpler to
keep than a judgement per report. An existing file is narrowed to 0600 before it is written.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def _open_private(path: Path, flags: int) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, flags | os.O_WRONLY | os.O_CREAT, PRIVATE_MODE)
    os.fchmod(descriptor, PRIVATE_MODE)  # a file made earlier with a wider mode
    return descriptor


def write_private(path: Path, text: str) -> None:
    """Replace the content of `path` with `text` (UTF-8), mode 0600."""
    with os.fdopen(_open_private(path, os.O_TRUNC), "w", encoding="utf-8") as out:
        out.write(text)


def append_private(path: Path, text: str) -> None:
    """Append `text` (UTF-8) to `path`, mode 0600."""
    with os.fdopen(_open_private(path, os.O_APPEND), "a", encoding="utf-8") as out:
        out.write(text)
