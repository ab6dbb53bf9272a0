"""The SQL files that resources and seeded states name: split into statements, and the name of
the seed schema a set of statements is kept in (shared by scenarios and per-test states, so one
seed serves both on a stack)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

SEED_PREFIX = "onex_seed_"


def sql_statements(script: str) -> list[str]:
    """Split a schema file on ';' at line ends (enough for DDL and seed INSERTs)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def read_statements(files: Iterable[str | None]) -> list[str]:
    """The statements of each file in order (None entries skipped)."""
    found: list[str] = []
    for file in [f for f in files if f]:
        found += sql_statements(Path(file).read_text())
    return found


def seed_name(statements: list[str]) -> str:
    """The seed schema of `statements`: named by their content, so a changed file is a new
    seed and an unchanged one is reused by later runs on the same stack."""
    return SEED_PREFIX + hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()[:16]
