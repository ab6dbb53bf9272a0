"""A minimal HTTP/1.1 server on asyncio streams: one request per connection, JSON in and out.

Enough for a demo service (no keep-alive, no chunked bodies); a real team would use Starlette or
FastAPI, which the harness drives the same way, from the outside.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Route = Callable[[str, Any], Awaitable[tuple[int, Any]]]
"""(path, JSON body or None) → (status, JSON answer)."""
_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found", 500: "Error"}
_MAX_BODY = 1 << 20


async def serve(host: str, port: int, routes: Mapping[str, Route]) -> asyncio.Server:
    """Listen on host:port; `routes` maps "METHOD /prefix" to a handler (longest prefix wins)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, answer = await _answer(reader, routes)
        except (ValueError, asyncio.IncompleteReadError) as exc:
            status, answer = 400, {"error": str(exc)}
        data = json.dumps(answer).encode()
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode() + data)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, host, port)


async def _answer(reader: asyncio.StreamReader, routes: Mapping[str, Route]) -> tuple[int, Any]:
    request_line = (await reader.readline()).decode("latin-1").strip()
    method, _, rest = request_line.partition(" ")
    path = rest.rpartition(" ")[0] or rest
    length = 0
    while True:
        line = (await reader.readline()).decode("latin-1").strip()
        if not line:
            break
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length > _MAX_BODY:
        raise ValueError("body too large")
    raw = await reader.readexactly(length) if length else b""
    body = json.loads(raw) if raw else None
    matches = [
        key
        for key in routes
        if key.split(" ")[0] == method and path.startswith(key[len(method) + 1 :])
    ]
    if not matches:
        return 404, {"error": f"no route {method} {path}"}
    return await routes[max(matches, key=len)](path, body)
