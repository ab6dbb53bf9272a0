"""What one service kind must provide: a `KindSpec`, registered under `onex.service_kinds`.

The backends, the manager, the CLI, the fixtures and the namespace cleanup only ever iterate over
the registered specs (`onex_services.catalog.kind_specs`); nothing outside a kind's own module
names a kind. A spec is plain data plus callables, so a kind module builds it at import time
without importing its client library (those are imported where they are used).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from onex_scenario.vocabulary import KindVocabulary

from onex_services.catalog import fixture_name, marker_name
from onex_services.kinds.connection import ConnectionUse
from onex_services.kinds.hooks import KindCapacity, NamespaceSeeder
from onex_services.members import Member, MemberOps
from onex_services.models import ProcessRef, ServiceRecord
from onex_services.passwords import stack_password
from onex_services.settings import Paths
from onex_services.state_values import StateLimits

if TYPE_CHECKING:
    from onex_services.service_faults import ServiceFaults

Progress = Callable[[str], None]


@dataclass(frozen=True)
class InstalledItem:
    name: str
    detail: str


class Probe(Protocol):
    """A deep probe: one full round trip that proves the service is usable."""

    kind: str
    url: str

    async def run(self, timeout_s: float) -> None:
        """One full round trip; raise on any failure."""

    async def close(self) -> None: ...


class Janitor(Protocol):
    """The resources of one namespace on one server: topics, a schema, key prefixes..."""

    async def cleanup(self) -> list[str]:
        """Remove everything of the namespace; one line per thing removed."""

    async def verify_clean(self) -> list[str]:
        """What is left of the namespace (empty when clean)."""

    async def close(self) -> None: ...


class NamespaceAdmin(Protocol):
    """One admin connection to one server, reused for many namespaces (a test's namespace is
    made and dropped on it, see `namespace_pool`); the kind's janitor is built on the same calls.

    `create` makes what the namespace needs before use (a schema; nothing for a key prefix);
    `drop` removes everything of the given namespaces in as few round trips as the server
    allows; `scoped_url` is the client string of a client confined to the namespace where the
    server can do that (a DSN with `search_path`), else the server's own; `prefix` is what the
    namespace's names start with. `batch_drops` says that drops are cheap only in batches (a
    broker's topic deletion), so a pool may defer them to the end of a batch.
    """

    batch_drops: bool

    async def create(self, namespace: str) -> None: ...

    async def drop(self, namespaces: Sequence[str]) -> None: ...

    async def leftovers(self, namespace: str) -> list[str]:
        """What is left of the namespace, one line per thing (empty when clean)."""

    def scoped_url(self, namespace: str) -> str: ...

    def prefix(self, namespace: str) -> str: ...

    async def close(self) -> None: ...


class NamespaceMarks(Protocol):
    """The harness's marker on each namespace of one server, kept on the server itself so that
    every machine sharing the server can read it (see `server_marks`, docs/scale.md).

    `write` puts (or replaces) the namespace's marker, a JSON text the caller makes; it lies
    inside the namespace (a key under its prefix, a topic under its prefix, the schema's
    comment), so dropping the namespace drops its marker too. `read_all` returns every marked
    namespace on the server with its marker text; nothing without the marker is listed.
    """

    async def write(self, namespace: str, mark: str) -> None: ...

    async def read_all(self) -> dict[str, str]: ...

    async def close(self) -> None: ...


class StateReader(Protocol):
    """What namespaces hold on one server, for snapshots, checkpoints and resource checks
    (docs/state.md). One reader serves a whole run: its connection is reused across scenarios.

    Every method touches the given namespace only. `checkpoint` returns what `restore` and
    `discard` are later given back (opaque to the caller, kept in memory for the scenario).
    `held_connections` counts the clients of the namespace still connected to the server (the
    harness's tools name theirs `onex:<namespace>`, see `onex_scenario.client_names`).
    """

    async def read(self, namespace: str, limits: StateLimits) -> dict[str, Any]: ...

    async def checkpoint(self, namespace: str, name: str) -> Any: ...

    async def restore(self, namespace: str, saved: Any) -> list[str]:
        """Bring the namespace back to `saved`; one line per thing restored."""

    async def discard(self, namespace: str, saved: Any) -> None: ...

    async def held_connections(self, namespace: str) -> dict[str, Any]: ...

    async def close(self) -> None: ...


@runtime_checkable
class StateLoader(Protocol):
    """A state reader that can also put a recorded state back into a fresh namespace (`onex
    replay`, docs/state.md): `recorded` is what `read` gave for a namespace, kept whole (the
    caller refuses a recording that was cut). The namespace's structure (tables, topics) comes
    from the scenario's own setup; its contents are replaced by the recorded ones, and what
    cannot be made to match is an error naming it."""

    async def load(self, namespace: str, recorded: Mapping[str, Any]) -> list[str]:
        """Make the namespace hold `recorded`; one line per thing loaded."""


@runtime_checkable
class SeedCloner(Protocol):
    """A state reader that can also keep a seeded state once and copy it into namespaces
    (PostgreSQL's: a seed schema, copied per scenario; see onex_runner.seeded_states)."""

    async def build_seed(self, seed: str, statements: list[str]) -> bool:
        """Make `seed` by running `statements` in it, in one transaction, unless it exists;
        True when it was built now."""

    async def clone_seed(self, seed: str, namespace: str) -> None:
        """Copy everything of `seed` into the namespace (which may exist already)."""


@dataclass(frozen=True)
class Installer:
    """How the process backend gets the kind's programs.

    `check` raises `MissingBinaryError` naming the fix when the programs are not usable (cheap,
    no side effects); `missing_packages` are the Debian packages this machine still lacks;
    `install` runs after apt and returns what is installed (it may fetch more, e.g. jars).
    """

    check: Callable[[Paths], None]
    missing_packages: Callable[[], list[str]]
    install: Callable[[Paths, Progress], list[InstalledItem]]


class Started(Protocol):
    """The process backend's hand-over: a spawned server becomes a record once its ports
    accept connections (or the start fails with the log's reason)."""

    def __call__(
        self,
        ref: ProcessRef,
        port: int,
        log_path: Path,
        details: dict[str, str],
        also_listens: tuple[int, ...] = (),
        password: str | None = None,
    ) -> Awaitable[ServiceRecord]: ...


@dataclass(frozen=True)
class ProcessStart:
    """What a kind's process starter gets: its stack's directory, the ports it had before (on a
    restart, None on a first start), the cache and run paths, the stack's process ledger (give
    it to `process_kit.spawn`) and the backend's `started`."""

    stack_dir: Path
    ports: dict[str, int] | None
    paths: Paths
    ledger: Path
    started: Started
    dependencies: Mapping[str, ServiceRecord] = field(default_factory=dict)
    """The running servers of the kinds this one `depends_on` (started and healthy first)."""

    def with_settings(self, kind: str, config: str) -> str:
        """`config` (a rendered config file) with the stack's settings for `kind` appended."""
        from onex_services import server_settings

        block = server_settings.config_block(
            kind, server_settings.read(self.stack_dir).get(kind, {})
        )
        return config + block

    def password(self, kind: str) -> str:
        """The stack's password for `kind`'s server: made on first use, the same on a restart,
        kept 0600 in the state dir (see `passwords`); give it to `started` for the URL."""
        return stack_password(self.paths.state_dir, self.stack_dir.name, kind)


@dataclass(frozen=True)
class ServerSettingsSyntax:
    """How a kind's server takes a project's own settings (see `onex_services.server_settings`).

    `name_from_env` turns the `<NAME>` of `ONEX_<KIND>_SERVER_<NAME>` into the server's name
    (`NUM_PARTITIONS` -> `num.partitions`); `config_line` is the line the process backend appends
    to its config file; `compose_override(service, settings)` is what the compose backend lays
    over the kind's service of the stack file (environment, command), given that service.
    """

    name_from_env: Callable[[str], str]
    config_line: Callable[[str, str], str]
    compose_override: Callable[[Mapping[str, Any], Mapping[str, str]], dict[str, Any]]
    # Named sets of settings (`ONEX_<KIND>_PROFILE=<name>`), laid under the project's own.
    profiles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # The harness's own settings of the kind (name -> the variable that sets it too, e.g.
    # Kafka's `brokers`, ONEX_KAFKA_BROKERS): in the stack's fingerprint, never in a config.
    harness_settings: Mapping[str, str] = field(default_factory=dict)
    # Why the compose backend cannot honour these settings (the whole set, the harness's own
    # included), or None when it can: a setting only the process backend carries out must stop
    # a compose start rather than be dropped on the way (a cluster asked for, one broker given).
    compose_refusal: Callable[[Mapping[str, str]], str | None] | None = None


@dataclass(frozen=True)
class ComposeFragment:
    """The kind's service in a compose stack; the compose backend writes each stack's compose
    file from the fragments of the kinds it runs (`backends.compose_file`).

    `image` is the official image (`ONEX_IMAGE_<KIND>` or the built `local_image` replace it);
    `local_image` is built from `infra/images/<kind>/`, `prepare_image` adds files to that build
    context. The service publishes the kind's host port (`KindSpec.port_env`) on 127.0.0.1 to
    `container_port` (None: the same number inside, for a server that advertises its address).
    `environment`, `command` and the `healthcheck` (a shell command, or an argv run without a
    shell for an image that has none) may use `${VAR}` of the stack's env file: the port
    variable, `secrets` (a fresh random value per stack) and `env()` (settings made when the kind
    joins the stack, kept while it runs). `client_url(host, port, values)` reads those values
    (e.g. a password) into the client string.

    `dependency_env(urls)` makes env values from the client strings of the kinds it
    `depends_on` (Kafka Connect's bootstrap servers); they are started and healthy first.
    `more_ports(values)` are further `127.0.0.1:host:inside` ports to publish (Kafka's proxy-slot
    listeners), `details(values)` further record details (its `proxy_slots`), both read from the
    stack's env values. `network_mode="host"` runs the container in the host's network (no
    ports published; it listens on 127.0.0.1 itself): Toxiproxy, whose proxies are made while
    it runs, on ports no container could publish beforehand. `volumes` are bind mounts.

    A server that runs as several containers (a Kafka cluster, `ONEX_KAFKA_BROKERS=3`) has three
    more: `settings_env(settings)` makes env values from the kind's server settings of the stack
    when the kind joins it (the members' ports); `services(service, values)` turns the kind's
    one service into its services in the stack, `{name: service}`, the one named after the kind
    first (the record's port and container are that one's); `members(values, containers,
    stack_dir)` are the record's members (`onex_services.members`), given each of those
    services' container id.
    """

    image: str
    local_image: str
    client_url: Callable[[str, int, Mapping[str, str]], str]
    healthcheck: str | tuple[str, ...]
    container_port: int | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    start_period: str | None = None
    secrets: tuple[str, ...] = ()
    env: Callable[[], dict[str, str]] = dict
    prepare_image: Callable[[Path, Paths], None] | None = None
    dependency_env: Callable[[Mapping[str, str]], dict[str, str]] | None = None
    more_ports: Callable[[Mapping[str, str]], list[str]] | None = None
    details: Callable[[Mapping[str, str]], dict[str, str]] | None = None
    network_mode: str | None = None
    volumes: tuple[str, ...] = ()
    settings_env: Callable[[Mapping[str, str]], dict[str, str]] | None = None
    services: Callable[[Mapping[str, Any], Mapping[str, str]], dict[str, dict[str, Any]]] | None = (
        None
    )
    members: Callable[[Mapping[str, str], Mapping[str, str], Path], list[Member]] | None = None


@dataclass(frozen=True)
class LimitsTarget:
    """What a kind's limits hooks act on: the private stack's faults handle (its servers'
    records, a restart) and the scenario's client id (its namespace: a per-client quota
    throttles that scenario's clients only)."""

    faults: ServiceFaults
    client_id: str = ""


@dataclass(frozen=True)
class KindSpec:
    """Everything about one kind of service. See docs/services.md, "Adding a service kind".

    `server_program` is where the program the process starter runs is on this machine (None or
    `MissingBinaryError` when not installed), looked up without running it: the reaper signals
    only processes that run one of the registered kinds' programs. `connection` is how a
    scenario's `connection:` block names a server of the kind (None: the block is not used).

    `depends_on` names the kinds this one needs running and healthy first (see `graph`);
    `make_dependent_probe`, when set, is used instead of `make_probe` and gets the client
    strings of those kinds too (a probe that checks its result on a dependency). An `on_demand`
    kind is left out of a default stack and started only when something asks for it by name.
    """

    vocabulary: KindVocabulary
    default_port: int
    client_url: Callable[[str, int, str | None], str]
    installer: Installer
    start_process: Callable[[ProcessStart], Awaitable[ServiceRecord]]
    make_probe: Callable[[str], Probe]
    janitor: Callable[[str, str], Janitor]
    server_program: Callable[[], Path | None]
    compose: ComposeFragment | None = None
    namespace_admin: Callable[[str], NamespaceAdmin] | None = None
    """A reusable admin connection (see `NamespaceAdmin`); without one, a test namespace is made
    and dropped by the janitor, one connection per call."""
    namespace_marks: Callable[[str], NamespaceMarks] | None = None
    """The kind's markers of namespaces on a server (None: its namespaces are never reaped by
    age, see `shared_reap`)."""
    capacity: KindCapacity | None = None
    """What a run takes of a server's limits (None: the kind's servers are not checked)."""
    namespace_seeder: Callable[[str], NamespaceSeeder] | None = None
    """Seeded states in test namespaces (`@pytest.mark.onex_state`); None: the kind has none."""
    connection: ConnectionUse | None = None
    server_settings: ServerSettingsSyntax | None = None
    """How the server takes a project's own settings (`onex_services.server_settings`)."""
    depends_on: tuple[str, ...] = field(default=())
    make_dependent_probe: Callable[[str, Mapping[str, str]], Probe] | None = None
    on_demand: bool = False
    app_values: Callable[[str, str], dict[str, str]] | None = None
    """(client string, namespace) → the values of the vocabulary's `app_fields`, which an app
    under test gets as `${services.<name>.<field>}`; None: url, host and port of the string."""
    state: Callable[[str], StateReader] | None = None
    """The kind's state reader for a client string (None: snapshots leave the kind out)."""
    members: MemberOps | None = None
    """How a fault finds and restarts one member of a server that runs as several processes
    (a cluster's broker, see `onex_services.members`); None: a server is one process."""
    proxied_by_slots: bool = False
    """Its clients connect where the server tells them (Kafka's metadata): a scenario's proxy
    must take one of the server's proxy slots (the record's `proxy_slots`), or a network fault
    would reach the first connection only (see kinds/toxiproxy/proxies.py)."""
    apply_limits: Callable[[LimitsTarget, Any], Awaitable[dict[str, object] | None]] | None = None
    """Sets the kind's section of a scenario's `limits:` (its pydantic model) on the scenario's
    own server, restarting it through the target's faults handle if it must; returns the
    server's values after, None when the section sets nothing (see `server_limits`). Its
    vocabulary says `applies_limits=True` when set."""
    remove_limits: Callable[[LimitsTarget, Any], Awaitable[object | None]] | None = None
    """Undoes what of `apply_limits` outlives the scenario on a running server (a per-client
    quota); returns what is left afterwards. None: the limits end with the private stack."""
    namespace_size: Callable[[Mapping[str, Any]], dict[str, Any] | None] | None = None
    """The size of a namespace while it was in use (Kafka: topics and partitions), from the
    kind's part of a snapshot (its `state` reader's `read`); kept with the scenario's resources."""

    @property
    def name(self) -> str:
        return self.vocabulary.name

    @property
    def title(self) -> str:
        return self.vocabulary.title

    @property
    def env_var(self) -> str:
        """The variable that points the harness at a running server of this kind."""
        return self.vocabulary.endpoint_env or f"ONEX_{self.name.upper()}_URL"

    @property
    def fixture_name(self) -> str:
        """The session fixture giving a real server of this kind (an endpoint)."""
        return fixture_name(self.name)

    @property
    def marker(self) -> str:
        """The pytest marker of a test that needs a real server of this kind."""
        return marker_name(self.name)

    @property
    def port_env(self) -> str:
        """The compose stack's variable for the host port of this kind's service."""
        return f"ONEX_{self.name.upper()}_PORT"

    @property
    def image_env(self) -> str:
        """The variable naming the image the compose stack runs for this kind."""
        return f"ONEX_IMAGE_{self.name.upper()}"
