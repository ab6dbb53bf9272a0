"""EventBusDaemonNode: answers commands from `commands` on `replies`, with the same correlation id.

Admin operations (list consumer groups, clean up its topics) are part of the node because the
original implementation lacked them and its mock never noticed.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import time
import uuid
from typing import Any

from onex_registry import (
    BaseOnexRegistry,
    ConsumedMessage,
    EventBus,
    KafkaEventBus,
    requires_registry,
)

from examples.defects import defect

COMMANDS, REPLIES, GROUP = "commands", "replies", "event-bus-daemon"


def answer(command: str, args: dict[str, Any]) -> dict[str, Any]:
    """The daemon's command table."""
    if defect("import_error"):
        importlib.import_module("examples.kafka_event_bus_node.enums")
    if command == "ping":
        return {"ok": True, "pong": True}
    if command == "echo":
        return {"ok": True, "echo": args}
    if command == "add":
        return {"ok": True, "sum": sum(int(v) for v in args.get("values", []))}
    return {"ok": False, "error": f"unknown command {command!r}"}


async def serve_once(bus: EventBus, *, timeout_s: float = 5.0) -> int:
    """Answer the commands waiting now; return how many were answered."""
    messages = await bus.consume(COMMANDS, group=GROUP, max_messages=10, timeout_s=timeout_s)
    for message in messages:
        await _reply(bus, message)
    if messages:
        await bus.commit(COMMANDS, group=GROUP, messages=messages)
    return len(messages)


async def _reply(bus: EventBus, message: ConsumedMessage) -> None:
    request = message.value if isinstance(message.value, dict) else {}
    if defect("event_loop_conflict"):
        # The original bug: sync-style code calling asyncio.run() from inside the running loop.
        asyncio.run(asyncio.sleep(0))
    reply = answer(str(request.get("command", "")), dict(request.get("args") or {}))
    correlation = None if defect("lost_correlation_id") else message.correlation_id
    await bus.publish(REPLIES, reply, key=message.key, correlation_id=correlation)


async def request(
    bus: EventBus, command: str, args: dict[str, Any] | None = None, *, timeout_s: float = 5.0
) -> dict[str, Any]:
    """Send a command and wait for the reply that carries the same correlation id."""
    correlation = str(uuid.uuid4())
    await bus.publish(
        COMMANDS, {"command": command, "args": args or {}}, key=command, correlation_id=correlation
    )
    group = f"cli-{correlation[:8]}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for reply in await bus.consume(REPLIES, group=group, max_messages=50, timeout_s=0.5):
            if reply.correlation_id == correlation:
                return {"reply": reply.value, "correlation_id": correlation}
    return {"reply": None, "error": f"no reply with correlation id {correlation} in {timeout_s}s"}


@requires_registry
class EventBusDaemonNode:
    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.registry = registry
        self.bus = registry.event_bus

    async def serve_once(self, timeout_s: float = 5.0) -> int:
        return await serve_once(self.bus, timeout_s=timeout_s)

    async def roundtrip(self, command: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """Client and daemon in one process: request, serve, reply."""
        daemon = asyncio.create_task(serve_once(self.bus, timeout_s=10.0))
        try:
            return await request(self.bus, command, args)
        finally:
            await daemon

    async def cli_roundtrip(self, command: str, args: dict[str, Any] | None = None) -> Any:
        """End to end: the CLI runs as its own process, talks to the broker, and this node
        serves as the daemon. Real mode only (another process cannot see an in-memory bus)."""
        if not isinstance(self.bus, KafkaEventBus):
            raise TypeError("cli_roundtrip needs a real broker: the CLI is another process")
        bootstrap, namespace = self.bus.bootstrap_servers, self.bus.namespace
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "examples.kafka_event_bus_node.cli",
            "--bootstrap-servers", bootstrap, "--namespace", namespace,
            "send", command, "--args", json.dumps(args or {}),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        talk = asyncio.create_task(process.communicate())
        deadline = time.monotonic() + 30
        while not talk.done() and time.monotonic() < deadline:
            await serve_once(self.bus, timeout_s=0.5)
        out, err = await talk
        if process.returncode != 0:
            raise RuntimeError(f"cli exited {process.returncode}: {err.decode()[-500:]}")
        return json.loads(out)

    async def list_groups(self) -> list[str]:
        if defect("missing_admin"):
            raise NotImplementedError("list_groups")
        return await self.bus.list_groups()

    async def cleanup(self) -> list[str]:
        if defect("missing_admin"):
            raise NotImplementedError("cleanup")
        return await self.bus.delete_namespace_topics()

    async def health(self) -> dict[str, Any]:
        result = await self.bus.health()
        latency: Any = (
            f"{result.latency_ms:.0f}ms"
            if defect("health_check_validation")
            else (round(result.latency_ms, 3))
        )
        return {"healthy": result.healthy, "latency_ms": latency}
