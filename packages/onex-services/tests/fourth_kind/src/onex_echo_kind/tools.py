"""The echo kind's tools for scenarios: a real client and an in-memory stand-in, one factory.

The real tool leaves a name `<namespace>/connected` on the server when it connects, so that a
test can see the run's namespace cleanup remove it.
"""

from __future__ import annotations

from onex_registry.factories import BaseToolFactory

from onex_echo_kind.client import request


class EchoClient:
    def __init__(self, endpoint: str, namespace: str) -> None:
        self.endpoint = endpoint
        self.namespace = namespace

    async def connect(self) -> None:
        await request(self.endpoint, f"ADD {self.namespace}/connected")

    async def echo(self, text: str) -> str:
        return await request(self.endpoint, f"ECHO {text}")

    async def close(self) -> None:
        """Each request uses its own connection."""


class InMemoryEcho:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    async def connect(self) -> None:
        """Nothing to connect to."""

    async def echo(self, text: str) -> str:
        return text

    async def close(self) -> None:
        """Nothing to close."""


class EchoToolFactory(BaseToolFactory):
    """real → EchoClient, mock → InMemoryEcho."""

    real_class = EchoClient
    mock_class = InMemoryEcho
