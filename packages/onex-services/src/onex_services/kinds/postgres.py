"""PostgreSQL, everything the harness knows about it.

- vocabulary: `ONEX_DB_*`, the client string is a `postgresql://` DSN (`dsn`);
- installer: the `postgresql` Debian package (initdb and postgres, found in /usr/lib/postgresql);
- process starter: initdb once (scram-sha-256, a per-stack password), then `postgres -D`, as
  the `postgres` user when we are root (initdb and postgres refuse root); TLS connections only
  with `ONEX_POSTGRES_SECURITY=tls` (postgres_tls);
- compose: `onex/postgres:local` with a generated password;
- probe: a scratch schema, a row written and read, the schema dropped;
- janitor: the schema named after the namespace.
"""

from __future__ import annotations

import os
import pwd
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from onex_scenario.vocabulary import KindVocabulary

from onex_services import templates
from onex_services.backends.process_kit import check_ports_free, chown, is_root, run_step, spawn
from onex_services.errors import MissingBinaryError
from onex_services.install.system import INSTALL_HINT
from onex_services.kinds.connection import (
    ConnectionFields,
    ConnectionUse,
    GivenAddress,
    address_of_url,
    text_field,
    url_parts,
)
from onex_services.kinds.hooks import CapacityReader, KindCapacity, NamespaceSeeder
from onex_services.kinds.postgres_limits import apply_postgres_limits
from onex_services.kinds.postgres_probe import PostgresProbe
from onex_services.kinds.postgres_schemas import PostgresSchemaAdmin, scoped_dsn
from onex_services.kinds.postgres_tls import CHOICES, OPTION, VARIABLE, secured_postgres
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
from onex_services.settings import Paths

KIND = "postgres"
DEFAULT_PORT = 5432
ACCOUNT = "postgres"
"""The user the server runs as when we are root (and the superuser initdb creates)."""

VOCABULARY = KindVocabulary(
    name=KIND,
    title="PostgreSQL",
    env_prefix="ONEX_DB_",
    env_fields={
        "URL": "url",
        "HOST": "host",
        "PORT": "port",
        "USER": "user",
        "PASSWORD": "password",
        "NAME": "database",
    },
    endpoint_field="url",
    url_schemes=("postgresql", "postgres"),
    endpoint_example="postgresql://user:password@127.0.0.1:5432/db",
    resource_files=("schema", "seed"),
    client_attribute="dsn",
    app_fields=("dsn", "url", "host", "port", "user", "password", "database", "schema"),
    # A test's `ns.dsn` has the namespace's schema as its search_path; `ns.schema` is its name.
    namespace_handles={"dsn": "url", "schema": "prefix"},
    applies_limits=True,
)


def find_postgres_bindir() -> Path:
    """The directory holding initdb and postgres: $ONEX_PG_BINDIR, Debian's newest, or PATH."""
    explicit = os.environ.get("ONEX_PG_BINDIR")
    candidates: list[Path] = [Path(explicit)] if explicit else []
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)
        )
        candidates.extend(p / "bin" for p in reversed(versions))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise MissingBinaryError(
        "PostgreSQL's server programs (initdb, postgres) are not installed",
        cause="looked in $ONEX_PG_BINDIR, /usr/lib/postgresql/*/bin and PATH",
        fix=f"{INSTALL_HINT}, or apt-get install postgresql",
    )


def _server_program() -> Path:
    return find_postgres_bindir() / "postgres"


def _account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(ACCOUNT)
    except KeyError:
        raise MissingBinaryError(
            "PostgreSQL cannot run as root and there is no `postgres` user",
            cause="initdb and postgres refuse to run as root",
            fix="apt-get install postgresql (it creates the user), or run the harness as non-root",
        ) from None


def _check(paths: Paths) -> None:
    find_postgres_bindir()
    if is_root():
        _account()


def _missing_packages() -> list[str]:
    try:
        find_postgres_bindir()
    except MissingBinaryError:
        return ["postgresql"]
    return []


def _install(paths: Paths, progress: Progress) -> list[InstalledItem]:
    return [InstalledItem("postgresql", str(find_postgres_bindir()))]


async def _start(start: ProcessStart) -> ServiceRecord:
    stack_dir, ports = start.stack_dir, start.ports
    bindir = find_postgres_bindir()
    user = ACCOUNT if is_root() else None
    home = stack_dir / KIND
    data = home / "data"
    log_path = stack_dir / "postgres.log"
    port = ports["port"] if ports is not None else free_port()
    password = start.password(KIND)
    if ports is None or not (data / "PG_VERSION").exists():
        home.mkdir(parents=True, exist_ok=True)
        if user is not None:
            chown(home, user)
        home.chmod(0o700)
        # Every connection, local socket too, proves the password (no `trust`): any local
        # user could otherwise be superuser and run `COPY ... TO PROGRAM`.
        pwfile = home / "initdb.pw"
        pwfile.touch(mode=0o600)
        pwfile.write_text(password, encoding="utf-8")
        if user is not None:
            chown(pwfile, user)
        try:
            await run_step(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "--no-sync",
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--username=postgres",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-instructions",
                ],
                log_path=log_path,
                what="initialise a PostgreSQL data directory (initdb)",
                fix=f"check {bindir}/initdb works; PostgreSQL must run as a non-root user",
                user=user,
                cwd=home,
            )
        finally:
            pwfile.unlink(missing_ok=True)
    else:
        # A kill -9 leaves a stale lock file; postgres refuses to start while it is there.
        (data / "postmaster.pid").unlink(missing_ok=True)
    secured = secured_postgres(stack_dir, home, user)
    rendered = templates.render("postgres/postgresql.conf", port=port, socket_dir=home)
    conf = data / "postgresql.conf"
    conf.write_text(
        start.with_settings(KIND, rendered + (secured.config() if secured else "")),
        encoding="utf-8",
    )
    if secured:
        secured.write_hba(data, user)
    if user is not None:
        chown(conf, user)
    check_ports_free(KIND, (port,), log_path)
    ref = spawn(
        [str(bindir / "postgres"), "-D", str(data)],
        log_path=log_path,
        cwd=home,
        user=user,
        ledger=start.ledger,
    )
    details = {"data_dir": str(data), "stop_signal": "SIGINT"}
    if secured is None:
        return await start.started(ref, port, log_path, details, password=password)
    details |= secured.details()
    record = await start.started(ref, port, log_path, details, password=password)
    return record.model_copy(update={"url": secured.url(record.url)})


def _client_url(host: str, port: int, password: str | None = None) -> str:
    secret = f":{password}" if password else ""
    return f"postgresql://{ACCOUNT}{secret}@{host}:{port}/postgres"


def _connection_address(fields: ConnectionFields) -> GivenAddress:
    parts = url_parts(fields, DEFAULT_PORT)
    user = quote(text_field(fields, "user") or parts.username or "postgres", safe="")
    database = quote(text_field(fields, "database") or unquote(parts.path) or "postgres", safe="")
    where = f"{parts.host}:{parts.port}/{database}{parts.query_suffix}"
    url = f"{parts.scheme or 'postgresql'}://{user}{parts.secret}@{where}"
    return address_of_url(url, DEFAULT_PORT)


def _compose_url(host: str, port: int, values: Mapping[str, str]) -> str:
    return f"postgresql://onex:{values['ONEX_POSTGRES_PASSWORD']}@{host}:{port}/postgres"


class PostgresSchemaManager:
    """The schema of one namespace on one PostgreSQL server (the kind's janitor); each call
    opens its own `PostgresSchemaAdmin` connection and closes it."""

    def __init__(self, dsn: str, namespace: str) -> None:
        self.dsn = dsn
        self.namespace = validate_namespace(namespace)
        self.schema = namespace

    async def create(self) -> str:
        admin = PostgresSchemaAdmin(self.dsn)
        try:
            if not await admin.leftovers(self.schema):
                await admin.create(self.schema)
        finally:
            await admin.close()
        return self.schema

    async def cleanup(self) -> list[str]:
        admin = PostgresSchemaAdmin(self.dsn)
        try:
            existed = await admin.leftovers(self.schema) + await admin.copies(self.schema)
            await admin.drop([self.schema])
            await admin.drop_copies(self.schema)  # a killed run's checkpoints (postgres_state)
        finally:
            await admin.close()
        return existed

    async def verify_clean(self) -> list[str]:
        admin = PostgresSchemaAdmin(self.dsn)
        try:
            return await admin.leftovers(self.schema) + await admin.copies(self.schema)
        finally:
            await admin.close()

    async def close(self) -> None:
        """Each call above opens and closes its own connection."""


def _probe(url: str) -> Probe:
    return PostgresProbe(url)


def _janitor(url: str, namespace: str) -> Janitor:
    return PostgresSchemaManager(url, namespace)


def _state(url: str) -> StateReader:
    from onex_services.kinds.postgres_state import PostgresStateReader

    return PostgresStateReader(url)


def _namespace_marks(url: str) -> NamespaceMarks:
    from onex_services.kinds.postgres_marks import PostgresSchemaMarks

    return PostgresSchemaMarks(url)


def _namespace_seeder(url: str) -> NamespaceSeeder:
    from onex_services.kinds.postgres_seed import PostgresSeeder

    return PostgresSeeder(url)


def _capacity_reader(url: str) -> CapacityReader:
    from onex_services.kinds.postgres_capacity import PostgresCapacity

    return PostgresCapacity(url)


def _capacity_need(workers: int, scenarios: Sequence[Any]) -> int:
    from onex_services.kinds.postgres_capacity import connections_needed

    return connections_needed(workers, scenarios)


def _namespace_admin(url: str) -> NamespaceAdmin:
    return PostgresSchemaAdmin(url)


def _app_values(url: str, namespace: str) -> dict[str, str]:
    """An app's view of the server: `dsn` starts every connection in the run's schema."""
    parts = urlsplit(url)
    return {
        "dsn": scoped_dsn(url, namespace),
        "url": url,
        "host": parts.hostname or "",
        "port": str(parts.port or DEFAULT_PORT),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": unquote(parts.path.lstrip("/")),
        "schema": namespace,
    }


def _postgres_compose_settings(
    service: Mapping[str, Any], settings: Mapping[str, str]
) -> dict[str, Any]:
    # The official image and infra/images/postgres both pass `-c name=value` on to postgres.
    options = [f"-c{name}={value}" for name, value in sorted(settings.items())]
    return {"command": [*service.get("command", []), *options]}


def _compose_refusal(settings: Mapping[str, str]) -> str | None:
    from onex_services.server_settings import process_only

    return process_only(settings, OPTION, VARIABLE, "a PostgreSQL with TLS", CHOICES)


# PostgreSQL settings: ONEX_POSTGRES_SERVER_WORK_MEM=64MB is work_mem = '64MB'.
SERVER_SETTINGS = ServerSettingsSyntax(
    name_from_env=str.lower,
    config_line=lambda name, value: f"{name} = '{value.replace(chr(39), chr(39) * 2)}'",
    compose_override=_postgres_compose_settings,
    # security: TLS connections only (kinds/postgres_tls.py).
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
    server_program=_server_program,
    server_settings=SERVER_SETTINGS,
    compose=ComposeFragment(
        image="postgres:15",
        local_image="onex/postgres:local",
        client_url=_compose_url,
        container_port=DEFAULT_PORT,
        environment={"POSTGRES_USER": "onex", "POSTGRES_PASSWORD": "${ONEX_POSTGRES_PASSWORD:?}"},
        healthcheck="pg_isready -h 127.0.0.1 -U onex -d postgres",
        secrets=("ONEX_POSTGRES_PASSWORD",),
    ),
    connection=ConnectionUse(
        fields=frozenset({"url", "host", "port", "user", "password", "database"}),
        address_fields=frozenset({"url", "host", "port"}),
        address=_connection_address,
    ),
    app_values=_app_values,
    state=_state,
    apply_limits=apply_postgres_limits,
)
