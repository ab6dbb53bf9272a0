"""A node that talks to the echo service through the registry, as a scenario's node would."""

from __future__ import annotations

from typing import Any

from onex_registry import BaseOnexRegistry


class EchoNode:
    def __init__(self, registry: BaseOnexRegistry) -> None:
        self.registry = registry

    async def say(self, text: str) -> dict[str, Any]:
        tool: Any = self.registry.tools["echo"]
        return {"heard": await tool.echo(text), "tool": type(tool).__name__}
