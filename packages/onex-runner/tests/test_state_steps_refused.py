"""checkpoint and restore on mocks only: refused with the reason, not passed as a no-op."""

from __future__ import annotations

from typing import Any

import pytest
from onex_runner import OutcomeEnum

pytestmark = pytest.mark.unit


async def test_a_checkpoint_in_a_mock_only_scenario_is_an_error_that_says_why(
    write_scenario: Any, run_scenarios: Any
) -> None:
    path = write_scenario(
        "checkpoint_on_mocks",
        steps=[{"id": "saved", "checkpoint": "start"}, {"id": "back", "restore": "start"}],
    )
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.ERROR
    assert "checkpoint works on real services" in result.message
    assert result.state == {}  # nothing real: no snapshot either


async def test_a_checkpoint_name_must_be_an_identifier(
    write_scenario: Any, run_scenarios: Any
) -> None:
    path = write_scenario("bad_checkpoint_name", steps=[{"id": "saved", "checkpoint": "no good"}])
    [result], _ = await run_scenarios(path)
    assert result.outcome is OutcomeEnum.ERROR
    assert "invalid checkpoint spec" in result.message
