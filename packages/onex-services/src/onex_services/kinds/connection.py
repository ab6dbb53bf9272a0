"""How a scenario's `connection:` block names a server of a kind: the fields the harness's tools
honour and the client URL built from them (see `KindSpec.connection`).

The runner hands a kind the fields the block sets (after the `ONEX_*` environment layered over
them) as a mapping; the kind says where that server is and which string its client takes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

DEFAULT_HOST = "127.0.0.1"
ConnectionFields = Mapping[str, object]
"""The `connection:` fields a scenario sets (unset ones are absent), by field name."""


@dataclass(frozen=True)
class GivenAddress:
    """A server named by a `connection:` block: where it listens, and its client string."""

    host: str
    port: int
    url: str


@dataclass(frozen=True)
class ConnectionUse:
    """`fields`: the connection fields the harness's tools honour for the kind (a field set
    outside them is refused, never ignored). `address_fields`: those that say where the server
    is (without one, the others cannot be used). `address`: the server the fields name."""

    fields: frozenset[str]
    address_fields: frozenset[str]
    address: Callable[[ConnectionFields], GivenAddress]


@dataclass(frozen=True)
class UrlParts:
    """A `url` field with each separate field that is also set taking its place (so a password
    given beside a URL, e.g. `ONEX_DB_PASSWORD` beside `ONEX_DB_URL`, is used, not dropped)."""

    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None
    path: str
    query: str

    @property
    def secret(self) -> str:
        """`:password` quoted for a URL's user part, or nothing."""
        return f":{quote(self.password, safe='')}" if self.password else ""

    @property
    def query_suffix(self) -> str:
        """`?query` (sslmode=… and the like stay), or nothing."""
        return f"?{self.query}" if self.query else ""


def url_parts(fields: ConnectionFields, default_port: int) -> UrlParts:
    """The parts of the client URL named by `url`, `host`, `port` and `password`."""
    base = urlsplit(_text(fields.get("url")) or "")
    port = fields.get("port")
    return UrlParts(
        scheme=base.scheme,
        host=_text(fields.get("host")) or base.hostname or DEFAULT_HOST,
        port=int(port) if isinstance(port, int | str) else base.port or default_port,
        username=unquote(base.username) if base.username else None,
        password=_text(fields.get("password"))
        or (unquote(base.password) if base.password else None),
        path=base.path.lstrip("/"),
        query=base.query,
    )


def address_of_url(url: str, default_port: int) -> GivenAddress:
    """The host and port a client URL names (the kind's default port when it has none)."""
    parts = urlsplit(url)
    return GivenAddress(parts.hostname or DEFAULT_HOST, parts.port or default_port, url)


def text_field(fields: ConnectionFields, name: str) -> str | None:
    """A set field as text, None when unset."""
    return _text(fields.get(name))


def _text(value: object) -> str | None:
    return None if value is None else str(value)
