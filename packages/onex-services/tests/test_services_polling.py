"""The one poll helper: it returns once the state is reached, gives up at its deadline, and
stops at once when its give-up check raises."""

from __future__ import annotations

import pytest
from onex_services.polling import Pace, wait_until, wait_until_sync

pytestmark = pytest.mark.unit
QUICK = Pace(first_s=0.0, factor=1.0, cap_s=0.0)


async def test_wait_until_returns_once_the_state_is_reached() -> None:
    checks: list[int] = []

    async def third_time() -> bool:
        checks.append(1)
        return len(checks) == 3

    assert await wait_until(third_time, within_s=60, pace=QUICK)
    assert len(checks) == 3


async def test_wait_until_gives_up_at_its_deadline() -> None:
    async def never() -> bool:
        return False

    assert not await wait_until(never, within_s=0, pace=QUICK)


async def test_a_give_up_check_that_raises_ends_the_wait_at_once() -> None:
    checked: list[int] = []

    async def never() -> bool:
        checked.append(1)
        return False

    def died() -> None:
        raise RuntimeError("the process died")

    with pytest.raises(RuntimeError, match="died"):
        await wait_until(never, within_s=60, pace=QUICK, give_up=died)
    assert checked == []


def test_the_sync_form_waits_the_same_way() -> None:
    states = iter([False, False, True])
    assert wait_until_sync(lambda: next(states), within_s=60, pace=QUICK)
    assert not wait_until_sync(lambda: False, within_s=0, pace=QUICK)


def test_pauses_grow_to_their_cap() -> None:
    pause = Pace(first_s=0.02, factor=2.0, cap_s=0.05).pauses()
    assert [pause() for _ in range(4)] == [0.02, 0.04, 0.05, 0.05]
