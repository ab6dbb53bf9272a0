"""The connectors of one namespace on one Connect worker: `<ns>.<name>`.

The topics they fed are the Kafka janitor's (`<ns>.<topic>`); what is left here are the
connectors themselves, selected by exact prefix, never by substring.
"""

from __future__ import annotations

from onex_services.kinds.connect.rest import ConnectRest, ConnectRestError
from onex_services.namespaces import validate_namespace


def connector_name(namespace: str, name: str) -> str:
    """The worker's name for a scenario's connector `name` (already namespaced: unchanged)."""
    prefix = f"{namespace}."
    return name if name.startswith(prefix) else prefix + name


class ConnectorJanitor:
    def __init__(self, url: str, namespace: str) -> None:
        self.namespace = validate_namespace(namespace)
        self.rest = ConnectRest(url)

    async def _ours(self) -> list[str]:
        prefix = f"{self.namespace}."
        return [name for name in await self.rest.connectors() if name.startswith(prefix)]

    async def cleanup(self) -> list[str]:
        removed: list[str] = []
        for name in await self._ours():
            try:
                await self.rest.delete(name)
            except ConnectRestError as exc:
                if exc.status != 404:  # 404: gone meanwhile, which is what we wanted
                    raise
            removed.append(f"connector {name}")
        return removed

    async def verify_clean(self) -> list[str]:
        return [f"connector {name}" for name in await self._ours()]

    async def close(self) -> None:
        """Every call opens and closes its own connection."""
