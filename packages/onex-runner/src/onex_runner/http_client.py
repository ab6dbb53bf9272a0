"""A small HTTP/1.1 client for the app under test (stdlib `http.client`, in a worker thread).

One request per connection, no redirects followed, no retries: the `http` step checks what the
app answered, whatever the status, and a readiness probe must see each failure as it is.
"""

from __future__ import annotations

import asyncio
import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_NOT_JSON = object()


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    """Header names in lower case; repeated headers joined with ", "."""
    text: str
    json: Any
    """The body parsed as JSON, or None when it is empty or not JSON."""
    is_json: bool


async def request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: float = 10.0,
) -> HttpResponse:
    """Send one request; OSError (refused, reset, timed out) when there is no answer."""
    return await asyncio.to_thread(
        _request, base_url, method, path, body, dict(headers or {}), timeout_s
    )


def _request(
    base_url: str,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout_s: float,
) -> HttpResponse:
    parts = urlsplit(base_url)
    connection = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )(parts.hostname or "127.0.0.1", parts.port, timeout=timeout_s)
    try:
        prefix = parts.path.rstrip("/")
        connection.request(method, prefix + path, body=body, headers=headers)
        answer = connection.getresponse()
        raw = answer.read()
        found: dict[str, str] = {}
        for name, value in answer.getheaders():
            key = name.lower()
            found[key] = f"{found[key]}, {value}" if key in found else value
    except http.client.HTTPException as exc:
        raise OSError(f"not an HTTP answer: {type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
    text = raw.decode("utf-8", errors="replace")
    parsed = _json(text)
    return HttpResponse(
        status=answer.status,
        headers=found,
        text=text,
        json=None if parsed is _NOT_JSON else parsed,
        is_json=parsed is not _NOT_JSON,
    )


def _json(text: str) -> Any:
    if not text.strip():
        return _NOT_JSON
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON
