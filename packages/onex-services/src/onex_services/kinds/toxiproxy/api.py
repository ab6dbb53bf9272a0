"""A small client of Toxiproxy's HTTP API (proxies and toxics), on the standard library.

Toxiproxy answers JSON over plain HTTP on loopback. `http.client` runs in a worker thread (one
request is well under a millisecond there), so the harness needs no HTTP library of its own;
each request opens its own connection, so a client is safe to share between coroutines.
"""

from __future__ import annotations

import asyncio
import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

TOXIC_TYPES = (
    "latency",
    "bandwidth",
    "timeout",
    "reset_peer",
    "slicer",
    "slow_close",
    "limit_data",
)
"""The toxics Toxiproxy has (v2), by their API names."""


class ToxiproxyError(Exception):
    """Toxiproxy refused a request (or did not answer); the message has its status and reason."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ProxyInfo:
    """A proxy as Toxiproxy reports it."""

    name: str
    listen: str
    upstream: str
    enabled: bool
    toxics: tuple[str, ...]

    @property
    def listen_port(self) -> int:
        return int(self.listen.rpartition(":")[2])

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProxyInfo:
        return cls(
            name=str(data["name"]),
            listen=str(data["listen"]),
            upstream=str(data["upstream"]),
            enabled=bool(data.get("enabled", True)),
            toxics=tuple(str(t["name"]) for t in data.get("toxics") or ()),
        )


class ToxiproxyClient:
    """The API at `url` (`http://host:port`)."""

    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise ValueError(f"{url!r}: expected http://host:port (Toxiproxy's API)")
        self.url = url
        self.host = parts.hostname
        self.port = parts.port
        self.timeout_s = timeout_s

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
        except OSError as exc:
            raise ToxiproxyError(f"{method} {self.url}{path}: {exc}") from exc
        finally:
            connection.close()
        if response.status >= 300:
            reason = raw.decode(errors="replace").strip()
            raise ToxiproxyError(
                f"{method} {path}: HTTP {response.status}: {reason}", status=response.status
            )
        return json.loads(raw) if raw.strip() else None

    async def request(self, method: str, path: str, body: Any = None) -> Any:
        return await asyncio.to_thread(self._call, method, path, body)

    async def version(self) -> str:
        return str(await self.request("GET", "/version"))

    async def proxies(self) -> list[ProxyInfo]:
        found = await self.request("GET", "/proxies") or {}
        return sorted((ProxyInfo.from_json(p) for p in found.values()), key=lambda p: p.name)

    async def proxy(self, name: str) -> ProxyInfo:
        return ProxyInfo.from_json(await self.request("GET", f"/proxies/{_part(name)}"))

    async def create_proxy(self, name: str, listen: str, upstream: str) -> ProxyInfo:
        body = {"name": name, "listen": listen, "upstream": upstream, "enabled": True}
        return ProxyInfo.from_json(await self.request("POST", "/proxies", body))

    async def set_enabled(self, name: str, enabled: bool) -> ProxyInfo:
        """`enabled: false` closes the listener and every connection through it (a partition)."""
        found = await self.request("POST", f"/proxies/{_part(name)}", {"enabled": enabled})
        return ProxyInfo.from_json(found)

    async def delete_proxy(self, name: str) -> None:
        await self.request("DELETE", f"/proxies/{_part(name)}")

    async def add_toxic(
        self,
        proxy: str,
        name: str,
        toxic_type: str,
        attributes: dict[str, Any],
        *,
        stream: str = "downstream",
        toxicity: float = 1.0,
    ) -> None:
        body = {
            "name": name,
            "type": toxic_type,
            "stream": stream,
            "toxicity": toxicity,
            "attributes": attributes,
        }
        await self.request("POST", f"/proxies/{_part(proxy)}/toxics", body)

    async def remove_toxic(self, proxy: str, name: str) -> None:
        await self.request("DELETE", f"/proxies/{_part(proxy)}/toxics/{_part(name)}")


def _part(name: str) -> str:
    return quote(name, safe="")
