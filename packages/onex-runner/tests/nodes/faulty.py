"""A node for the fault tests: it reports what its tools saw instead of raising, so a scenario
can expect a failure during a fault and a success after it."""

from __future__ import annotations

import asyncio
from typing import Any

from onex_registry import BaseOnexRegistry
from onex_runner.context import current_namespace
from onex_services.kinds.toxiproxy.api import ToxiproxyClient


class FaultyNode:
    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.registry = registry

    async def sql_ping(self, limit_s: float = 10.0, tries: int = 1) -> dict[str, Any]:
        """`SELECT 1`, tried up to `tries` times. PostgresSqlStore keeps one connection: one
        that a partition broke stays broken after it heals, so a retry reconnects first."""
        store, error = self.registry.sql_store, ""
        for attempt in range(tries):
            try:
                if attempt:
                    await store.close()
                    await asyncio.wait_for(store.connect(), limit_s)
                rows = await asyncio.wait_for(store.fetch("SELECT 1 AS one"), limit_s)
            except Exception as exc:  # noqa: BLE001 - what failed is the result
                error = type(exc).__name__
                continue
            return {"ok": rows == [{"one": 1}]}
        return {"ok": False, "error": error}

    async def kv_ping(self, limit_s: float = 10.0) -> dict[str, Any]:
        try:
            store = self.registry.kv_store
            await asyncio.wait_for(store.set("ping", "1"), limit_s)
            value = await asyncio.wait_for(store.get("ping"), limit_s)
        except Exception as exc:  # noqa: BLE001 - what failed is the result
            return {"ok": False, "error": type(exc).__name__}
        return {"ok": value == "1"}

    async def send(self, topic: str, limit_s: float = 8.0) -> dict[str, Any]:
        try:
            await asyncio.wait_for(self.registry.event_bus.publish(topic, {"n": 1}), limit_s)
        except Exception as exc:  # noqa: BLE001 - what failed is the result
            return {"ok": False, "error": type(exc).__name__}
        return {"ok": True}

    async def proxies(self, api: str) -> dict[str, Any]:
        """This scenario's proxies on Toxiproxy `api` and their toxics' types (by proxy)."""
        prefix = f"{current_namespace.get()}."
        found: dict[str, Any] = {}
        client = ToxiproxyClient(api)
        for proxy in await client.proxies():
            if proxy.name.startswith(prefix):
                data = await client.request("GET", f"/proxies/{proxy.name}/toxics")
                found[proxy.name.removeprefix(prefix)] = {
                    "enabled": proxy.enabled,
                    "toxics": sorted(f"{t['type']}:{t['stream']}" for t in data),
                }
        return found
