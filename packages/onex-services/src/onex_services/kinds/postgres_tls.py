"""A test PostgreSQL that takes TLS connections only (`ONEX_POSTGRES_SECURITY=tls`), as a managed
database with `rds.force_ssl` or Cloud SQL's "require SSL" does.

- TLS: a CA of the stack's own signs the server's certificate for localhost and 127.0.0.1
  (`onex_services.tls`, the one maker of the harness); the server reads it and its key (0600,
  owned by the account it runs as) from `<stack>/postgres/tls`.
- pg_hba.conf holds `hostssl` lines only, each proving the password (scram-sha-256): a
  connection without TLS is refused by the server itself, and so is one over the local socket.
- The client string carries the settings: `?sslmode=verify-full&sslrootcert=<ca.pem>`, so
  every harness client (asyncpg reads both from the DSN) checks the certificate and its host
  name, and so does an app under test that is given `${services.postgres.dsn}`.

The variable is one of the kind's harness settings (`security`), kept with the stack's server
settings and so in its fingerprint: a plain stack is never shared with a run that asks for TLS.
The process backend serves it; the compose backend refuses it (`compose_refusal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from onex_services import server_settings
from onex_services.backends.process_kit import chown
from onex_services.tls import ServerTls, server_tls

KIND = "postgres"
OPTION = "security"
VARIABLE = "ONEX_POSTGRES_SECURITY"
PLAIN = "plain"
TLS = "tls"
CHOICES = (PLAIN, TLS)
SSLMODE = "verify-full"

HBA = """\
# {variable}={tls}: TLS connections only, each proving the password; no local socket.
hostssl all all 127.0.0.1/32 scram-sha-256
hostssl all all ::1/128 scram-sha-256
"""


@dataclass(frozen=True)
class SecuredPostgres:
    tls: ServerTls

    def config(self) -> str:
        """The postgresql.conf lines that turn TLS on."""
        return (
            f"\n# {VARIABLE}={TLS}: the stack's own certificate, TLS 1.2 and up.\n"
            "ssl = on\n"
            f"ssl_cert_file = '{self.tls.certificate}'\n"
            f"ssl_key_file = '{self.tls.key}'\n"
            "ssl_min_protocol_version = 'TLSv1.2'\n"
        )

    def write_hba(self, data: Path, user: str | None) -> None:
        """pg_hba.conf with `hostssl` lines only (written at every start, over initdb's)."""
        hba = data / "pg_hba.conf"
        hba.write_text(HBA.format(variable=VARIABLE, tls=TLS), encoding="utf-8")
        if user is not None:
            chown(hba, user)

    def url(self, plain: str) -> str:
        """The client string `plain` with the TLS settings in its query."""
        query = urlencode({"sslmode": SSLMODE, "sslrootcert": str(self.tls.ca)}, safe="/")
        return f"{plain}{'&' if '?' in plain else '?'}{query}"

    def details(self) -> dict[str, str]:
        return {"security": TLS, "sslmode": SSLMODE, "ssl_ca": str(self.tls.ca)}


def secured_postgres(stack_dir: Path, home: Path, user: str | None) -> SecuredPostgres | None:
    """The TLS set-up of the stack's server, None when the stack runs without TLS. The files
    are the server account's (PostgreSQL refuses a key that another user could read)."""
    if server_settings.harness_choice(stack_dir, KIND, OPTION, CHOICES) != TLS:
        return None
    tls = server_tls(home / "tls")
    if user is not None:
        for path in (tls.ca.parent, tls.certificate, tls.key):
            chown(path, user)
    return SecuredPostgres(tls)
