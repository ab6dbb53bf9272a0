"""Redis's client fixture `redis_prefix` (entry point `onex.kind_fixtures`, see
client_fixtures): the run's key prefix and the server's URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from onex_scenario.redaction import SecretUrl

if TYPE_CHECKING:
    from onex_services.kinds.redis import RedisPrefixManager


@dataclass(frozen=True)
class RedisPrefix:
    """The run's key prefix on the real Redis: `key(name)` is `<ns>:<name>`."""

    url: str
    namespace: str

    @property
    def prefix(self) -> str:
        return self._keys().prefix

    def key(self, name: str) -> str:
        return self._keys().key(name)

    def _keys(self) -> RedisPrefixManager:
        from onex_services.kinds.redis import RedisPrefixManager

        return RedisPrefixManager(self.url, self.namespace)

    def __str__(self) -> str:
        return self.prefix

    def __repr__(self) -> str:  # pytest prints a failing test's fixtures: not the password
        return f"RedisPrefix(url={SecretUrl(self.url)!r}, namespace={self.namespace!r})"


def redis_prefix(url: str, namespace: str) -> RedisPrefix:
    """The run's Redis key prefix and the server's URL; its keys are deleted at session end."""
    return RedisPrefix(url=url, namespace=namespace)
