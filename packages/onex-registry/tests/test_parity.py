"""Static parity: every real tool matches its mock member for member."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from onex_registry.cli import tools
from onex_registry.parity import check_factories, compare

pytestmark = pytest.mark.unit


def test_every_builtin_real_tool_matches_its_mock() -> None:
    assert check_factories() == []


def test_a_divergence_is_reported() -> None:
    class Real:
        async def get(self, key: str) -> str | None:
            return None

        async def scan(self, prefix: str = "") -> list[str]:
            return []

    class Mock:
        def get(self, key: str) -> str | None:
            return None

        async def scan(self, prefix: str = "x") -> list[str]:
            return []

        async def extra(self) -> None:
            return None

    problems = {(i.member, i.problem.split(" ")[0]) for i in compare(Real, Mock)}
    assert problems == {("get", "async"), ("scan", "parameters"), ("extra", "only")}


def test_onex_tools_check_exits_zero_when_in_parity() -> None:
    result = CliRunner().invoke(tools, ["check"])
    assert result.exit_code == 0, result.output
    assert "every real tool matches its mock" in result.output
