"""Fixtures of the onex-scenario tests: a scratch scenario tree and the shipped bases."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from onex_scenario import (
    ConnectionOverrides,
    ScenarioConfigModel,
    ScenarioValidationError,
    ValidationIssue,
)
from onex_scenario.inheritance import SHIPPED_BASES
from onex_scenario.loader import ScenarioLoader

REPO = Path(__file__).resolve().parents[3]
DATA = Path(__file__).resolve().parent / "data"
__all__ = ["DATA", "REPO", "SHIPPED_BASES", "Tree"]


class Tree:
    """A temporary folder to write scenario files into and load them from."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def load(
        self,
        relative: str,
        environ: Mapping[str, str] | None = None,
        base_dirs: Sequence[Path] = (),
        overrides: ConnectionOverrides | None = None,
    ) -> ScenarioConfigModel:
        # The tree's root is the scenario root, as the folder given to `onex run` would be.
        loader = ScenarioLoader(
            environ=environ or {}, base_dirs=base_dirs, overrides=overrides, roots=[self.root]
        )
        return loader.load(self.root / relative).scenario

    def issues(
        self,
        relative: str,
        environ: Mapping[str, str] | None = None,
        base_dirs: Sequence[Path] = (),
    ) -> list[ValidationIssue]:
        with pytest.raises(ScenarioValidationError) as caught:
            self.load(relative, environ, base_dirs)
        return list(caught.value.issues)

    def messages(
        self,
        relative: str,
        environ: Mapping[str, str] | None = None,
        base_dirs: Sequence[Path] = (),
    ) -> list[str]:
        """`key.path: message` of each issue (files and positions are checked elsewhere)."""
        return [f"{i.key_path}: {i.message}" for i in self.issues(relative, environ, base_dirs)]


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path)


MINIMAL = """
name: minimal
tier: unit
"""
