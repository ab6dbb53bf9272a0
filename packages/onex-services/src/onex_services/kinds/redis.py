"""Redis, everything the harness knows about it.

- vocabulary: `ONEX_REDIS_*`, the client string is a `redis://` URL (`redis_url`);
- installer: the `redis-server` Debian package;
- process starter: `redis-server` with infra/process/redis/redis.conf and a per-stack
  `requirepass` password; TLS only and an ACL user with `ONEX_REDIS_SECURITY=tls_acl`
  (redis_tls);
- compose: `onex/redis:local` with a generated password;
- probe: SET, GET and DEL of a key under `onex-health:`;
- janitor: keys `<ns>:<name>`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from onex_scenario.vocabulary import KindVocabulary

from onex_services import templates
from onex_services.backends.process_kit import check_ports_free, spawn
from onex_services.errors import MissingBinaryError
from onex_services.install.system import INSTALL_HINT
from onex_services.kinds.connection import (
    ConnectionFields,
    ConnectionUse,
    GivenAddress,
    address_of_url,
    url_parts,
)
from onex_services.kinds.hooks import CapacityReader, KindCapacity, NamespaceSeeder
from onex_services.kinds.redis_limits import apply_redis_limits
from onex_services.kinds.redis_prefixes import RedisPrefixAdmin, key_prefix
from onex_services.kinds.redis_tls import CHOICES, OPTION, VARIABLE, secured_redis
from onex_services.kinds.spec import (
    ComposeFragment,
    InstalledItem,
    Installer,
    Janitor,
    KindSpec,
    NamespaceAdmin,
    NamespaceMarks,
    Probe,
    ProcessStart,
    Progress,
    ServerSettingsSyntax,
    StateReader,
)
from onex_services.models import ServiceRecord
from onex_services.namespaces import validate_namespace
from onex_services.ports import free_port
from onex_services.probes import HEALTH_PREFIX, ProbeError, ReusingProbe, quietly
from onex_services.settings import Paths

KIND = "redis"
DEFAULT_PORT = 6379

VOCABULARY = KindVocabulary(
    name=KIND,
    title="Redis",
    env_prefix="ONEX_REDIS_",
    env_fields={"URL": "url", "HOST": "host", "PORT": "port", "DB": "db", "PASSWORD": "password"},
    endpoint_field="url",
    url_schemes=("redis", "rediss"),
    endpoint_example="redis://127.0.0.1:6379/0",
    client_attribute="redis_url",
    app_fields=("url", "host", "port", "db", "prefix"),
    namespace_handles={"key": "name"},  # `ns.key("cart:1")` is `<ns>:cart:1`
    applies_limits=True,
)


def find_redis_server() -> Path:
    explicit = os.environ.get("ONEX_REDIS_SERVER")
    found = explicit if explicit and Path(explicit).is_file() else shutil.which("redis-server")
    if not found:
        raise MissingBinaryError(
            "redis-server is not installed",
            cause="no `redis-server` on PATH (nor $ONEX_REDIS_SERVER)",
            fix=f"{INSTALL_HINT}, or apt-get install redis-server",
        )
    return Path(found)


def _check(paths: Paths) -> None:
    find_redis_server()


def _missing_packages() -> list[str]:
    try:
        find_redis_server()
    except MissingBinaryError:
        return ["redis-server"]
    return []


def _install(paths: Paths, progress: Progress) -> list[InstalledItem]:
    return [InstalledItem(KIND, str(find_redis_server()))]


async def _start(start: ProcessStart) -> ServiceRecord:
    stack_dir, ports = start.stack_dir, start.ports
    server = find_redis_server()
    home = stack_dir / KIND
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "redis.log"
    port = ports["port"] if ports is not None else free_port()
    password = start.password(KIND)
    secured = secured_redis(stack_dir, home, password)
    rendered = templates.render("redis/redis.conf", port=port, data_dir=home, password=password)
    config = home / "redis.conf"
    config.touch(mode=0o600)  # it holds the password
    config.write_text(
        start.with_settings(KIND, secured.config(rendered) if secured else rendered),
        encoding="utf-8",
    )
    check_ports_free(KIND, (port,), log_path)
    ref = spawn([str(server), str(config)], log_path=log_path, cwd=home, ledger=start.ledger)
    if secured is None:
        return await start.started(ref, port, log_path, {}, password=password)
    record = await start.started(ref, port, log_path, secured.details(), password=password)
    return record.model_copy(update={"url": secured.url(record.host, port)})


def _client_url(host: str, port: int, password: str | None = None) -> str:
    return f"redis://:{password}@{host}:{port}/0" if password else f"redis://{host}:{port}/0"


def _connection_address(fields: ConnectionFields) -> GivenAddress:
    parts = url_parts(fields, DEFAULT_PORT)
    user = quote(parts.username, safe="") if parts.username else ""  # an ACL user's name
    auth = f"{user}{parts.secret}@" if user or parts.secret else ""
    given_db = fields.get("db")
    db = given_db if given_db is not None else int(parts.path) if parts.path.isdigit() else 0
    where = f"{parts.host}:{parts.port}/{db}{parts.query_suffix}"
    return address_of_url(f"{parts.scheme or 'redis'}://{auth}{where}", DEFAULT_PORT)


def _compose_url(host: str, port: int, values: Mapping[str, str]) -> str:
    return f"redis://:{values['ONEX_REDIS_PASSWORD']}@{host}:{port}/0"


def _client(url: str, **options: Any) -> Any:
    import redis.asyncio as aioredis  # imported here: reading the vocabulary must stay cheap

    return aioredis.Redis.from_url(url, **options)


def _errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError,)


class RedisProbe(ReusingProbe):
    """SET -> GET -> DEL of a key under `onex-health:`, on `url`."""

    kind = KIND

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None

    async def _round(self, timeout_s: float) -> None:
        if self._client is None:
            self._client = _client(
                self.url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s
            )
        key = f"{HEALTH_PREFIX}:{uuid.uuid4().hex}"
        value = uuid.uuid4().hex.encode()
        await self._client.set(key, value, px=60_000)
        read = await self._client.get(key)
        removed = await self._client.delete(key)
        if read != value or removed != 1:
            raise ProbeError(f"key {key} did not round-trip (read {read!r}, deleted {removed})")

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await quietly(client.aclose(), _errors())


class RedisPrefixManager:
    """The keys of one namespace on one Redis server: `<ns>:<name>` (the kind's janitor); each
    call opens its own `RedisPrefixAdmin` client and closes it."""

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.namespace = validate_namespace(namespace)
        self.prefix = key_prefix(namespace)

    def key(self, name: str) -> str:
        return name if name.startswith(self.prefix) else self.prefix + name

    async def cleanup(self) -> list[str]:
        admin = RedisPrefixAdmin(self.url)
        try:
            existed = await admin.leftovers(self.namespace)
            if existed:
                await admin.drop([self.namespace])
            return existed
        finally:
            await admin.close()

    async def verify_clean(self) -> list[str]:
        admin = RedisPrefixAdmin(self.url)
        try:
            return await admin.leftovers(self.namespace)
        finally:
            await admin.close()

    async def close(self) -> None:
        """Each call above opens and closes its own connection."""


def _probe(url: str) -> Probe:
    return RedisProbe(url)


def _state(url: str) -> StateReader:
    from onex_services.kinds.redis_state import RedisStateReader

    return RedisStateReader(url)


def _janitor(url: str, namespace: str) -> Janitor:
    return RedisPrefixManager(url, namespace)


def _namespace_marks(url: str) -> NamespaceMarks:
    from onex_services.kinds.redis_marks import RedisPrefixMarks

    return RedisPrefixMarks(url)


def _namespace_seeder(url: str) -> NamespaceSeeder:
    from onex_services.kinds.redis_seed import RedisSeeder

    return RedisSeeder(url)


def _capacity_reader(url: str) -> CapacityReader:
    from onex_services.kinds.redis_capacity import RedisCapacity

    return RedisCapacity(url)


def _capacity_need(workers: int, scenarios: Sequence[Any]) -> int:
    from onex_services.kinds.redis_capacity import clients_needed

    return clients_needed(workers, scenarios)


def _namespace_admin(url: str) -> NamespaceAdmin:
    return RedisPrefixAdmin(url)


def _app_values(url: str, namespace: str) -> dict[str, str]:
    """An app's view of the server: its keys are `<namespace>:<key>` (`prefix`)."""
    parts = urlsplit(url)
    return {
        "url": url,
        "host": parts.hostname or "",
        "port": str(parts.port or DEFAULT_PORT),
        "db": parts.path.lstrip("/") or "0",
        "prefix": f"{namespace}:",
    }


def _redis_compose_settings(
    service: Mapping[str, Any], settings: Mapping[str, str]
) -> dict[str, Any]:
    # redis-server takes each directive as `--name value...` after the stack file's own.
    options = [
        arg for name, value in sorted(settings.items()) for arg in (f"--{name}", *value.split())
    ]
    return {"command": [*service.get("command", []), *options]}


def _compose_refusal(settings: Mapping[str, str]) -> str | None:
    from onex_services.server_settings import process_only

    return process_only(settings, OPTION, VARIABLE, "a Redis with TLS and ACL users", CHOICES)


# Redis directives: ONEX_REDIS_SERVER_MAXMEMORY_POLICY=allkeys-lru is maxmemory-policy allkeys-lru.
SERVER_SETTINGS = ServerSettingsSyntax(
    name_from_env=lambda suffix: suffix.lower().replace("_", "-"),
    config_line=lambda name, value: f"{name} {value}",
    compose_override=_redis_compose_settings,
    # security: TLS only and an ACL user (kinds/redis_tls.py).
    harness_settings={OPTION: VARIABLE},
    compose_refusal=_compose_refusal,
)


SPEC = KindSpec(
    vocabulary=VOCABULARY,
    default_port=DEFAULT_PORT,
    client_url=_client_url,
    installer=Installer(check=_check, missing_packages=_missing_packages, install=_install),
    start_process=_start,
    make_probe=_probe,
    janitor=_janitor,
    namespace_admin=_namespace_admin,
    namespace_marks=_namespace_marks,
    namespace_seeder=_namespace_seeder,
    capacity=KindCapacity(reader=_capacity_reader, need=_capacity_need),
    server_program=find_redis_server,
    server_settings=SERVER_SETTINGS,
    compose=ComposeFragment(
        image="redis:7",
        local_image="onex/redis:local",
        client_url=_compose_url,
        container_port=DEFAULT_PORT,
        command=(
            "--port",
            "6379",
            "--bind",
            "0.0.0.0",
            "--protected-mode",
            "no",
            "--requirepass",
            "${ONEX_REDIS_PASSWORD:?}",
        ),
        environment={"REDISCLI_AUTH": "${ONEX_REDIS_PASSWORD:?}"},
        healthcheck='redis-cli -a "$$REDISCLI_AUTH" --no-auth-warning ping | grep -q PONG',
        secrets=("ONEX_REDIS_PASSWORD",),
    ),
    connection=ConnectionUse(
        fields=frozenset({"url", "host", "port", "db", "password"}),
        address_fields=frozenset({"url", "host", "port"}),
        address=_connection_address,
    ),
    app_values=_app_values,
    state=_state,
    apply_limits=apply_redis_limits,
)
