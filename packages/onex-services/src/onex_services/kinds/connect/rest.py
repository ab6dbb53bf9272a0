"""Kafka Connect's REST API, the few calls the harness makes: connectors and their status.

Connect is a local worker on loopback (or one given by `ONEX_CONNECT_URL`); the standard
library's HTTP client, run in a thread, is all it takes, so the harness needs no HTTP package.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any


class ConnectRestError(Exception):
    """Connect answered with an error status (`status`), or did not answer (`status` 0)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class ConnectRest:
    """The REST API of the worker at `url` (`http://host:port`)."""

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    async def request(self, method: str, path: str, body: object = None) -> Any:
        """The decoded JSON answer (None for an empty one); raises `ConnectRestError`."""
        return await asyncio.to_thread(self._request, method, path, body)

    def _request(self, method: str, path: str, body: object) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                text = response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace")
            raise ConnectRestError(
                exc.code, f"{method} {path}: {exc.code} {_message(detail)}"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ConnectRestError(0, f"{method} {path}: {reason}") from exc
        return json.loads(text) if text.strip() else None

    @staticmethod
    def _path(name: str, *rest: str) -> str:
        return "/".join(["/connectors", urllib.parse.quote(name, safe=""), *rest])

    async def connectors(self) -> list[str]:
        names = await self.request("GET", "/connectors")
        return sorted(str(name) for name in names or [])

    async def put_config(self, name: str, config: Mapping[str, str]) -> Any:
        """Create the connector `name`, or change its config when it exists."""
        return await self.request("PUT", self._path(name, "config"), dict(config))

    async def delete(self, name: str) -> None:
        await self.request("DELETE", self._path(name))

    async def pause(self, name: str) -> None:
        await self.request("PUT", self._path(name, "pause"))

    async def resume(self, name: str) -> None:
        await self.request("PUT", self._path(name, "resume"))

    async def status(self, name: str) -> dict[str, Any]:
        """`{"connector": {"state": ...}, "tasks": [{"id": 0, "state": ...}, ...]}`."""
        found = await self.request("GET", self._path(name, "status"))
        return dict(found or {})


def _message(body: str) -> str:
    """Connect's error body is `{"error_code": ..., "message": ...}`; keep the message."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body.strip()[:300]
    if isinstance(parsed, dict) and "message" in parsed:
        return str(parsed["message"])
    return body.strip()[:300]
