"""The one poll helper: it returns once the state is reached, gives up at its deadline (checking
last at it, never sleeping past it), and stops at once when its give-up check raises."""

from __future__ import annotations

import pytest
from onex_services.polling import Pace, every, wait_until, wait_until_sync

pytestmark = pytest.mark.unit
QUICK = every(0.0)


class FakeClock:
    """Time that moves only when the wait sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


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
    assert checked == [1]  # the check that failed, then the give-up; no second check


def test_the_sync_form_waits_the_same_way() -> None:
    states = iter([False, False, True])
    assert wait_until_sync(lambda: next(states), within_s=60, pace=QUICK)
    assert not wait_until_sync(lambda: False, within_s=0, pace=QUICK)


def test_pauses_grow_to_their_cap() -> None:
    pace = Pace(first_s=0.02, factor=2.0, cap_s=0.05)
    assert [pace.pause(n) for n in range(4)] == [0.02, 0.04, 0.05, 0.05]


async def test_the_last_pause_ends_at_the_deadline_and_one_check_falls_on_it() -> None:
    clock = FakeClock()
    checks: list[float] = []

    async def never() -> bool:
        checks.append(clock.now)
        return False

    assert not await wait_until(never, within_s=1.0, pace=every(0.4), clock=clock)
    assert clock.sleeps == pytest.approx([0.4, 0.4, 0.2])
    assert checks == pytest.approx([0.0, 0.4, 0.8, 1.0])
