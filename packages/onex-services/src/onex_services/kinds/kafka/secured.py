"""A test broker that speaks SASL_SSL only (`ONEX_KAFKA_SECURITY=sasl_ssl`), as managed clusters
such as Confluent Cloud or Amazon MSK with SCRAM do.

- Every client listener (the one clients bootstrap from, and the proxy slots) is SASL_SSL; only
  the controller quorum's listener stays PLAINTEXT (it serves no client requests).
- TLS: a CA of the stack's own signs the broker's certificate (`tls`).
- SASL: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for the user `onex` with the stack's generated
  Kafka password. The SCRAM credentials are written into the metadata log when the storage is
  formatted (`kafka-storage format --add-scram`), so the broker authenticates its own
  inter-broker connections from its first second; the format's arguments go through a Java
  argument file (0600), never the command line, which every local user can read.
- The client settings are written as `ONEX_KAFKA_*` lines to `<broker>/client.env` (the password
  as `ONEX_KAFKA_SASL_PASSWORD_FILE`) and published under the state dir for this port, where the
  harness's own clients on this machine find them (`security.client_options`).

The variable is one of the kind's harness settings (`security`, beside `brokers`), kept with the
stack's server settings and so in its fingerprint: a plaintext stack is never shared with a run
that asks for a secured one. The process backend serves it; the compose image has no such set-up.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from onex_services import server_settings
from onex_services.errors import SettingError
from onex_services.kinds.spec import ProcessStart
from onex_services.ownership import NotOwnedError, read_owned, write_private
from onex_services.tls import ServerTls, server_tls

KIND = "kafka"
OPTION = "security"  # its name among the stack's harness settings
VARIABLE = "ONEX_KAFKA_SECURITY"
SHARED_VARIABLE = "ONEX_KAFKA_SECURITY_DIR"  # one identity for every secured broker (a tier's)
SASL_SSL = "sasl_ssl"
PLAINTEXT = "plaintext"
CHOICES = (PLAINTEXT, SASL_SSL)
USER = "onex"
MECHANISM = "SCRAM-SHA-512"  # what the published client settings and inter-broker use
SCRAM = ("SCRAM-SHA-256", "SCRAM-SHA-512")
PUBLISHED = "kafka-clients"
_CONTROLLER = "CONTROLLER"


@dataclass(frozen=True)
class SecuredBroker:
    home: Path
    tls: ServerTls
    password: str
    password_file: Path

    def properties(self, text: str) -> str:
        """server.properties with its client listeners made SASL_SSL, and the TLS and SASL
        settings appended."""
        lines = [_secured_line(line) for line in text.splitlines()]
        listeners = [
            name.lower()
            for line in lines
            if line.startswith("listener.security.protocol.map=")
            for name, _, _ in (entry.partition(":") for entry in line.split("=", 1)[1].split(","))
            if name != _CONTROLLER
        ]
        block = [
            "",
            f"# {VARIABLE}={SASL_SSL}: TLS with the stack's own CA, SASL for the user {USER}.",
            "ssl.keystore.type=PKCS12",
            f"ssl.keystore.location={self.tls.keystore}",
            f"ssl.keystore.password={self.tls.keystore_password}",
            f"ssl.key.password={self.tls.keystore_password}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={self.tls.ca}",
            "sasl.enabled.mechanisms=PLAIN," + ",".join(SCRAM),
            f"sasl.mechanism.inter.broker.protocol={MECHANISM}",
        ]
        scram_login = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{USER}" password="{self.password}";'
        )
        plain_login = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{USER}" password="{self.password}" user_{USER}="{self.password}";'
        )
        for listener in listeners:
            for mechanism in SCRAM:
                block.append(
                    f"listener.name.{listener}.{mechanism.lower()}.sasl.jaas.config={scram_login}"
                )
            block.append(f"listener.name.{listener}.plain.sasl.jaas.config={plain_login}")
        return "\n".join([*lines, *block]) + "\n"

    def format_argfile(self, arguments: list[str]) -> str:
        """`@<file>`: the storage tool's main class and `arguments`, plus the SCRAM users, in a
        0600 argument file for the java launcher (read once, removed by `forget_argfile`)."""
        scram = [f"SCRAM-SHA-{bits}=[name={USER},password={self.password}]" for bits in (256, 512)]
        lines = [*arguments, *(item for entry in scram for item in ("--add-scram", entry))]
        path = self.home / "format.args"
        write_private(path, ("\n".join(lines) + "\n").encode())
        return f"@{path}"

    def forget_argfile(self) -> None:
        (self.home / "format.args").unlink(missing_ok=True)

    def client_env(self, servers: str) -> dict[str, str]:
        return {
            "ONEX_KAFKA_BOOTSTRAP_SERVERS": servers,
            "ONEX_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "ONEX_KAFKA_SASL_MECHANISM": MECHANISM,
            "ONEX_KAFKA_SASL_USERNAME": USER,
            "ONEX_KAFKA_SASL_PASSWORD_FILE": str(self.password_file),
            "ONEX_KAFKA_SSL_CAFILE": str(self.tls.ca),
        }

    def publish(self, state_dir: Path, port: int) -> dict[str, str]:
        """Write the client settings (`client.env`, and the copy the harness's clients look up
        by port); returns the record's details (no secret in them)."""
        text = "".join(
            f"{name}={value}\n" for name, value in self.client_env(f"127.0.0.1:{port}").items()
        )
        write_private(self.home / "client.env", text.encode())
        folder = state_dir / PUBLISHED
        folder.mkdir(mode=0o700, exist_ok=True)
        write_private(folder / f"{port}.env", text.encode())
        return {
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": MECHANISM,
            "sasl_username": USER,
            "ssl_cafile": str(self.tls.ca),
            "client_env": str(self.home / "client.env"),
        }


def _secured_line(line: str) -> str:
    key, sep, value = line.partition("=")
    if not sep:
        return line
    if key in ("listeners", "advertised.listeners"):
        return f"{key}={value.replace('PLAINTEXT://', 'SASL_SSL://')}"
    if key == "inter.broker.listener.name" and value == "PLAINTEXT":
        return f"{key}=SASL_SSL"
    if key == "listener.security.protocol.map":
        entries = []
        for entry in value.split(","):
            name, _, protocol = entry.partition(":")
            if name == "PLAINTEXT":
                name = "SASL_SSL"
            entries.append(f"{name}:{protocol if name == _CONTROLLER else 'SASL_SSL'}")
        return f"{key}={','.join(entries)}"
    return line


def security_choice(stack_dir: Path) -> str:
    """`plaintext` or `sasl_ssl`: what the stack was started with (`SettingError` otherwise)."""
    return server_settings.harness_choice(stack_dir, KIND, OPTION, CHOICES)


def secured_broker(start: ProcessStart, home: Path) -> SecuredBroker | None:
    """The secured set-up of the stack's broker, None when the stack runs plaintext."""
    if security_choice(start.stack_dir) != SASL_SSL:
        return None
    shared = os.environ.get(SHARED_VARIABLE, "").strip()
    if shared:
        return shared_identity(home, Path(shared))
    tls = server_tls(home / "tls")
    password = start.password(KIND)
    password_file = home / "tls" / "sasl_password"
    write_private(password_file, password.encode())
    return SecuredBroker(home, tls, password, password_file)


def shared_identity(home: Path, folder: Path) -> SecuredBroker:
    """`ONEX_KAFKA_SECURITY_DIR`: every secured broker started with it uses the CA, certificate
    (it names localhost and 127.0.0.1, not a port, so it fits every broker of the machine) and
    SASL password kept in that folder, made by the first of them. A test tier points all its
    clients at those once (`ONEX_KAFKA_SSL_CAFILE` and the rest), and they then authenticate to
    the shared stack and to every private stack a test starts alike."""
    if not folder.is_absolute():
        raise SettingError(f"{SHARED_VARIABLE}={folder}: expected an absolute folder path")
    tls = server_tls(folder)
    password_file = folder / "sasl_password"
    try:
        password = read_owned(password_file).decode()
    except FileNotFoundError:
        password = secrets.token_urlsafe(18)
        write_private(password_file, password.encode())
    except NotOwnedError as exc:
        raise SettingError(f"{SHARED_VARIABLE}={folder}: {exc}") from None
    return SecuredBroker(home, tls, password, password_file)
