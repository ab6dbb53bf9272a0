"""One request, one answer line, over a fresh connection (the server is local and cheap)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "tcp" or not parts.hostname or parts.port is None:
        raise ValueError(f"expected tcp://host:port, got {url!r}")
    return parts.hostname, parts.port


async def request(url: str, line: str, timeout_s: float = 5.0) -> str:
    host, port = host_port(url)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    try:
        writer.write(line.encode() + b"\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.readline(), timeout_s)
    finally:
        writer.close()
        await writer.wait_closed()
    return answer.decode().rstrip("\n")
