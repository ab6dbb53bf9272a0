"""The connector tool of a scenario's Kafka Connect service: a real worker's REST API, or an
in-memory stand-in for the mock tier, one factory (`onex.tool_factories` name `connect`).

Names are the scenario's, the worker sees them in the run's namespace: connector `<ns>.<name>`,
and the `topic`/`topics` of its config `<ns>.<topic>`, as the event bus names topics, so a file
source feeds the very topic the node under test consumes and the run's cleanup removes both.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Awaitable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable

from onex_registry import OnexToolError
from onex_registry.factories import BaseToolFactory
from onex_services.kinds.connect.janitor import connector_name
from onex_services.kinds.connect.rest import ConnectRest, ConnectRestError
from pydantic import BaseModel, ConfigDict

T = TypeVar("T")
RUNNING = "RUNNING"
PAUSED = "PAUSED"
TOPIC_KEYS = ("topic", "topics")
"""Config keys that name topics (a comma-separated list for `topics`)."""


class ConnectorState(BaseModel):
    """A connector's state and its tasks' states, as Connect reports them (RUNNING, PAUSED,
    FAILED, UNASSIGNED...), with the first failed task's trace line when there is one."""

    model_config = ConfigDict(frozen=True)

    name: str
    state: str
    tasks: tuple[str, ...] = ()
    error: str | None = None


@runtime_checkable
class ConnectorWorker(Protocol):
    """What a scenario does with connectors; names are given without the namespace."""

    async def connect(self) -> None: ...
    async def close(self) -> None: ...
    async def create(
        self, name: str, config: Mapping[str, str], files: Mapping[str, Sequence[str]]
    ) -> str:
        """Create (or reconfigure) `name`; each key of `files` is set in the config to a fresh
        file holding those lines. Returns the worker's name of the connector."""
        ...

    async def delete(self, name: str) -> None: ...
    async def pause(self, name: str) -> None: ...
    async def resume(self, name: str) -> None: ...
    async def status(self, name: str) -> ConnectorState: ...


def namespaced_config(config: Mapping[str, str], namespace: str) -> dict[str, str]:
    """`config` with its topic names in the namespace."""
    done = dict(config)
    for key in TOPIC_KEYS:
        if key in done:
            topics = [t.strip() for t in done[key].split(",") if t.strip()]
            done[key] = ",".join(
                t if t.startswith(f"{namespace}.") else f"{namespace}.{t}" for t in topics
            )
    return done


class ConnectWorkerClient:
    """A real Connect worker through its REST API (`endpoint` is its URL)."""

    def __init__(self, endpoint: str, namespace: str) -> None:
        self.endpoint = endpoint
        self.namespace = namespace
        self.rest = ConnectRest(endpoint)
        self._files: Path | None = None

    async def connect(self) -> None:
        await self._call(self.rest.connectors())

    async def close(self) -> None:
        folder, self._files = self._files, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def _full(self, name: str) -> str:
        return connector_name(self.namespace, name)

    def _write(self, key: str, lines: Sequence[str]) -> str:
        if self._files is None:
            self._files = Path(tempfile.mkdtemp(prefix=f"onex-connector-{self.namespace}-"))
            self._files.chmod(0o755)  # the worker may run as another user
        path = self._files / f"{key.replace('.', '_')}-{len(list(self._files.iterdir()))}.txt"
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        path.chmod(0o644)
        return str(path)

    async def create(
        self, name: str, config: Mapping[str, str], files: Mapping[str, Sequence[str]]
    ) -> str:
        full = self._full(name)
        given = namespaced_config(config, self.namespace)
        given.update({key: self._write(key, lines) for key, lines in files.items()})
        await self._call(self.rest.put_config(full, given))
        return full

    async def delete(self, name: str) -> None:
        await self._call(self.rest.delete(self._full(name)))

    async def pause(self, name: str) -> None:
        await self._call(self.rest.pause(self._full(name)))

    async def resume(self, name: str) -> None:
        await self._call(self.rest.resume(self._full(name)))

    async def status(self, name: str) -> ConnectorState:
        found = await self._call(self.rest.status(self._full(name)))
        tasks = list(found.get("tasks") or [])
        failed = [t for t in tasks if t.get("trace")]
        trace = str(failed[0]["trace"]).splitlines()[0] if failed else None
        return ConnectorState(
            name=name,
            state=str((found.get("connector") or {}).get("state", "UNKNOWN")),
            tasks=tuple(str(t.get("state", "UNKNOWN")) for t in tasks),
            error=trace,
        )

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except ConnectRestError as exc:
            raise OnexToolError(f"Kafka Connect at {self.endpoint}: {exc}") from exc


class InMemoryConnectWorker:
    """Connectors as a table: create makes one RUNNING with `tasks.max` RUNNING tasks, pause and
    resume flip them, an unknown name fails like the worker's 404. It moves no records."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.connectors: dict[str, ConnectorState] = {}
        self.configs: dict[str, dict[str, str]] = {}

    async def connect(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Nothing to close."""

    def _known(self, name: str) -> ConnectorState:
        if name not in self.connectors:
            raise OnexToolError(f"in-memory Connect: connector {name} not found (404)")
        return self.connectors[name]

    async def create(
        self, name: str, config: Mapping[str, str], files: Mapping[str, Sequence[str]]
    ) -> str:
        written = {key: f"<{len(lines)} lines>" for key, lines in files.items()}
        self.configs[name] = {**namespaced_config(config, self.namespace), **written}
        count = int(config.get("tasks.max", "1"))
        self.connectors[name] = ConnectorState(name=name, state=RUNNING, tasks=(RUNNING,) * count)
        return connector_name(self.namespace, name)

    async def delete(self, name: str) -> None:
        self._known(name)
        del self.connectors[name], self.configs[name]

    async def pause(self, name: str) -> None:
        self._set(name, PAUSED)

    async def resume(self, name: str) -> None:
        self._set(name, RUNNING)

    def _set(self, name: str, state: str) -> None:
        old = self._known(name)
        self.connectors[name] = old.model_copy(
            update={"state": state, "tasks": (state,) * len(old.tasks)}
        )

    async def status(self, name: str) -> ConnectorState:
        return self._known(name)


class ConnectorToolFactory(BaseToolFactory):
    """real → ConnectWorkerClient, mock → InMemoryConnectWorker."""

    real_class = ConnectWorkerClient
    mock_class = InMemoryConnectWorker
