"""A real-service fixture fails the test when the service cannot be had; opting in skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

_TESTS = """
import pytest

def test_needs_redis(real_redis):
    assert real_redis.redis_url


@pytest.mark.services_optional
def test_can_do_without_redis(real_redis):
    assert real_redis.redis_url
"""


def test_missing_services_fail_required_tests_and_skip_optional_ones(tmp_path: Path) -> None:
    # No conftest: the fixtures come from the harness's pytest11 plugin alone.
    (tmp_path / "test_uses_redis.py").write_text(_TESTS)
    env = dict(
        os.environ,
        ONEX_SERVICES_BACKEND="external",  # nothing given and nothing discovered: unavailable
        ONEX_DISCOVER="0",
        ONEX_STATE_DIR=str(tmp_path / "state"),
    )
    env.pop("ONEX_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "1 skipped, 1 error in" in output
    assert "real redis is required but cannot be had" in output
    assert "During handling" not in output  # one message, not a chain of tracebacks
    assert "ONEX_REDIS_URL" in output  # the message says how to provide one
    assert "redis is not available" in output  # the skip reason of the optional test


class _OneKindRefused:
    """A manager that cannot serve `connect` (as the compose backend cannot) and serves the
    rest; it records what was asked of it."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def acquire(self, kinds: list[str], label: str) -> object:
        from types import SimpleNamespace

        from onex_services.errors import ServiceError

        self.asked.append(list(kinds))
        if "connect" in kinds:
            raise ServiceError("connect has no compose service")
        return SimpleNamespace(endpoints={kind: f"endpoint of {kind}" for kind in kinds})


def test_a_kind_out_of_reach_does_not_take_the_others_with_it() -> None:
    from typing import Any, cast

    from onex_services.errors import ServiceError
    from onex_services.pytest_fixtures import ServicesHolder

    manager = _OneKindRefused()
    holder = ServicesHolder(cast(Any, manager))
    holder.wanted = {"kafka", "connect", "redis"}
    assert cast(object, holder.endpoint("kafka")) == "endpoint of kafka"
    assert manager.asked == [["connect", "kafka", "redis"], ["kafka"]]
    with pytest.raises(ServiceError, match="no compose service"):
        holder.endpoint("connect")
    assert cast(object, holder.endpoint("redis")) == "endpoint of redis"  # tried on its own
    with pytest.raises(ServiceError):
        holder.endpoint("connect")  # remembered: not asked again
    assert manager.asked[-1] == ["redis"]
