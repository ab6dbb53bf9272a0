"""Which scenarios a run takes: paths, tier and a -k expression."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from onex_scenario import LoadedScenario, ValidationIssue, load_scenarios


def matches_keyword(loaded: LoadedScenario, expression: str | None) -> bool:
    """`-k`: words separated by spaces must all match the name or a tag; `not word` excludes."""
    if not expression:
        return True
    haystack = " ".join([loaded.scenario.name, *loaded.scenario.tags]).lower()
    words = expression.lower().split()
    negate = False
    for word in words:
        if word == "not":
            negate = True
            continue
        if (word in haystack) == negate:
            return False
        negate = False
    return True


def select(
    paths: Sequence[Path],
    *,
    tier: str | None = None,
    keyword: str | None = None,
    allowed_paths: Sequence[Path] = (),
    base_dirs: Sequence[Path] = (),
) -> tuple[list[LoadedScenario], list[ValidationIssue]]:
    loaded, issues = load_scenarios(paths, allowed_paths=allowed_paths, base_dirs=base_dirs)
    chosen = [
        s
        for s in loaded
        if (tier is None or str(s.scenario.tier) == tier) and matches_keyword(s, keyword)
    ]
    return sorted(chosen, key=lambda s: str(s.path)), issues
