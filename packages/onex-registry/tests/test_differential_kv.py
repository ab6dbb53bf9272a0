"""Differential test of KeyValueStore: Hypothesis drives Redis and the mock with the same random
sequence (set with and without TTLs, expire, ttl, scan, delete, strings, lists and hashes, and
values of the wrong type) and compares every result and error class. TTLs are long so that no
comparison depends on the clock: whether a key has a TTL is compared, not its remainder."""

from __future__ import annotations

from typing import Any

import pytest
from differential import SETTINGS, connected_pair
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from onex_registry import KeyValueStore, KeyValueStoreToolFactory

pytestmark = [pytest.mark.fidelity, pytest.mark.requires_redis]

KEYS = st.sampled_from(["a", "b", "a:1", "a:2", "b*", "[x]", "q?"])
PREFIXES = st.sampled_from(["", "a", "a:", "b*", "[", "q?"])
TEXT = st.text(st.characters(exclude_categories=["Cs"], max_codepoint=0x2FF), max_size=8)
VALUES = st.one_of(TEXT, TEXT, TEXT, st.integers(), st.none(), st.just({"k": "v"}))
TTLS = st.one_of(st.none(), st.floats(min_value=60, max_value=3600))


def _has_ttl(value: Any) -> Any:
    return value if value is None else "has a ttl"


class KvMachine(RuleBasedStateMachine):
    url = ""

    real: KeyValueStore
    mock: KeyValueStore

    def __init__(self) -> None:
        super().__init__()
        self.pair, self.real, self.mock, _ = connected_pair(
            KeyValueStore, KeyValueStoreToolFactory(), self.url
        )
        self.loop = self.pair.loop

    def both(self, operation: str, name: str, *args: Any, **kwargs: Any) -> None:
        normalise = _has_ttl if name == "ttl" else (lambda value: value)
        self.pair.same(
            operation,
            lambda: getattr(self.real, name)(*args, **kwargs),
            lambda: getattr(self.mock, name)(*args, **kwargs),
            normalise,
        )

    @rule(key=KEYS, value=VALUES, ttl=TTLS)
    def set(self, key: str, value: Any, ttl: float | None) -> None:
        self.both("set", "set", key, value, ttl_s=ttl)

    @rule(key=KEYS)
    def get(self, key: str) -> None:
        self.both("get", "get", key)
        self.both("key_type", "key_type", key)
        self.both("ttl", "ttl", key)

    @rule(key=KEYS, ttl=st.floats(min_value=60, max_value=3600))
    def expire(self, key: str, ttl: float) -> None:
        self.both("expire", "expire", key, ttl)

    @rule(key=KEYS)
    def delete(self, key: str) -> None:
        self.both("delete", "delete", key)

    @rule(prefix=PREFIXES)
    def scan(self, prefix: str) -> None:
        self.both("scan", "scan", prefix)

    @rule(key=KEYS, values=st.lists(VALUES, max_size=3))
    def rpush(self, key: str, values: list[Any]) -> None:
        self.both("rpush", "rpush", key, *values)
        self.both("lrange", "lrange", key, 0, -1)

    @rule(key=KEYS, fields=st.dictionaries(TEXT, VALUES, max_size=2))
    def hset(self, key: str, fields: dict[str, Any]) -> None:
        self.both("hset", "hset", key, fields)
        self.both("hgetall", "hgetall", key)

    def teardown(self) -> None:
        async def clean() -> None:
            for key in await self.real.scan():
                await self.real.delete(key)
            await self.real.close()
            await self.mock.close()

        self.pair.run(clean())
        self.loop.close()


def test_key_value_store_mock_matches_redis(real_redis: Any) -> None:
    KvMachine.url = real_redis.redis_url
    run_state_machine_as_test(KvMachine, settings=SETTINGS)
