"""Contract of KeyValueStore and SqlStore: mocks (unit tier), Redis/PostgreSQL (integration)."""

from __future__ import annotations

import asyncio

import pytest
from onex_registry import KeyValueStore, SqlStore, WrongTypeError


async def test_kv_round_trip(kv: KeyValueStore) -> None:
    await kv.set("order:o-1", '{"status": "accepted"}')
    assert await kv.get("order:o-1") == '{"status": "accepted"}'


async def test_kv_missing_key_is_none(kv: KeyValueStore) -> None:
    assert await kv.get("absent") is None


async def test_kv_delete_says_whether_it_removed(kv: KeyValueStore) -> None:
    await kv.set("k", "v")
    assert await kv.delete("k") is True
    assert await kv.delete("k") is False
    assert await kv.get("k") is None


async def test_kv_value_expires(kv: KeyValueStore) -> None:
    await kv.set("short", "v", ttl_s=0.2)
    await asyncio.sleep(0.5)
    assert await kv.get("short") is None


async def test_kv_expire_sets_a_ttl_on_existing_keys_only(kv: KeyValueStore) -> None:
    await kv.set("k", "v")
    assert await kv.ttl("k") is None
    assert await kv.expire("k", 30) is True
    remaining = await kv.ttl("k")
    assert remaining is not None
    assert 0 < remaining <= 30
    assert await kv.expire("absent", 30) is False


async def test_kv_scan_by_prefix(kv: KeyValueStore) -> None:
    for key in ("order:1", "order:2", "cart:1", "order*odd"):
        await kv.set(key, "v")
    assert await kv.scan("order:") == ["order:1", "order:2"]
    assert await kv.scan("order*") == ["order*odd"]
    assert len(await kv.scan()) == 4


async def test_kv_lists_append_in_order_and_read_by_range(kv: KeyValueStore) -> None:
    assert await kv.lrange("queue") == []
    assert await kv.rpush("queue", "o-1", "o-2") == 2
    assert await kv.rpush("queue", "o-3") == 3
    assert await kv.lrange("queue") == ["o-1", "o-2", "o-3"]
    assert await kv.lrange("queue", 1, 1) == ["o-2"]
    assert await kv.lrange("queue", -2, -1) == ["o-2", "o-3"]
    assert await kv.lrange("queue", 0, 10) == ["o-1", "o-2", "o-3"]
    assert await kv.lrange("queue", 2, 1) == []
    assert await kv.key_type("queue") == "list"


async def test_kv_hashes_set_fields_and_read_them_all(kv: KeyValueStore) -> None:
    assert await kv.hgetall("order") == {}
    assert await kv.hset("order", {"status": "new", "qty": "2"}) == 2
    assert await kv.hset("order", {"status": "accepted", "sku": "ABC"}) == 1
    assert await kv.hgetall("order") == {"status": "accepted", "qty": "2", "sku": "ABC"}
    assert await kv.key_type("order") == "hash"


async def test_kv_key_types(kv: KeyValueStore) -> None:
    await kv.set("text", "v")
    assert await kv.key_type("text") == "string"
    assert await kv.key_type("absent") == "none"


async def test_kv_a_command_on_another_type_is_wrong_type(kv: KeyValueStore) -> None:
    await kv.set("text", "v")
    await kv.rpush("list", "a")
    await kv.hset("hash", {"f": "v"})
    for call in (
        kv.get("list"),
        kv.get("hash"),
        kv.rpush("text", "b"),
        kv.lrange("hash"),
        kv.hset("list", {"f": "v"}),
        kv.hgetall("text"),
    ):
        with pytest.raises(WrongTypeError):
            await call
    # SET replaces a key of any type, as in Redis.
    await kv.set("list", "now text")
    assert await kv.get("list") == "now text"


async def test_kv_lists_and_hashes_expire_delete_and_scan_like_strings(kv: KeyValueStore) -> None:
    await kv.rpush("l:1", "a")
    await kv.hset("l:2", {"f": "v"})
    assert await kv.scan("l:") == ["l:1", "l:2"]
    assert await kv.expire("l:1", 30) is True
    assert await kv.rpush("l:1", "b") == 2  # appending keeps the TTL
    assert await kv.ttl("l:1") is not None
    assert await kv.delete("l:2") is True
    assert await kv.key_type("l:2") == "none"


async def test_kv_refuses_empty_or_non_text_values(kv: KeyValueStore) -> None:
    with pytest.raises(ValueError, match="rpush needs at least one value"):
        await kv.rpush("l")
    with pytest.raises(ValueError, match="hset needs at least one value"):
        await kv.hset("h", {})
    with pytest.raises(TypeError, match="value must be str, got int"):
        await kv.rpush("l", 1)  # type: ignore[arg-type]
    assert await kv.key_type("l") == "none"


async def test_kv_health(kv: KeyValueStore) -> None:
    assert (await kv.health()).healthy


async def test_sql_create_insert_fetch(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE orders (id TEXT PRIMARY KEY, qty INTEGER NOT NULL)")
    assert await sql.execute("INSERT INTO orders (id, qty) VALUES ($1, $2)", "o-1", 2) == 1
    assert await sql.fetch("SELECT id, qty FROM orders WHERE id = $1", "o-1") == [
        {"id": "o-1", "qty": 2}
    ]


async def test_sql_execute_counts_affected_rows(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE t (n INTEGER)")
    for n in range(3):
        await sql.execute("INSERT INTO t (n) VALUES ($1)", n)
    assert await sql.execute("UPDATE t SET n = n + 10 WHERE n >= $1", 1) == 2
    assert await sql.execute("DELETE FROM t") == 3


async def test_sql_transaction_commits(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE t (n INTEGER)")
    async with sql.transaction():
        await sql.execute("INSERT INTO t (n) VALUES (1)")
        await sql.execute("INSERT INTO t (n) VALUES (2)")
    assert len(await sql.fetch("SELECT n FROM t")) == 2


async def test_sql_transaction_rolls_back_on_error(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE t (n INTEGER)")

    class Boom(Exception):
        pass

    async def insert_then_fail() -> None:
        async with sql.transaction():
            await sql.execute("INSERT INTO t (n) VALUES (1)")
            raise Boom

    with pytest.raises(Boom):
        await insert_then_fail()
    assert await sql.fetch("SELECT n FROM t") == []


async def test_sql_unique_violation_raises(sql: SqlStore) -> None:
    await sql.execute("CREATE TABLE u (id TEXT PRIMARY KEY)")
    await sql.execute("INSERT INTO u (id) VALUES ($1)", "a")
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await sql.execute("INSERT INTO u (id) VALUES ($1)", "a")


async def test_sql_health(sql: SqlStore) -> None:
    assert (await sql.health()).healthy
