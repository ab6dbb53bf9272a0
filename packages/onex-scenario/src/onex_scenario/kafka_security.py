"""How every Kafka client of the harness authenticates and encrypts: SASL and TLS settings.

One reader for the probes, janitors and markers of onex-services, the event bus tool of
onex-registry and the runner's fixtures (this package is the one all of them import). The
settings are a property of the environment (or a profile file exported into it), never of a
scenario file: credentials do not belong in a repository.

| variable | meaning |
|---|---|
| `ONEX_KAFKA_SECURITY_PROTOCOL` | `PLAINTEXT` (default), `SSL`, `SASL_PLAINTEXT`, `SASL_SSL` |
| `ONEX_KAFKA_SASL_MECHANISM` | `PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512` (SASL protocols only) |
| `ONEX_KAFKA_SASL_USERNAME` | the SASL user |
| `ONEX_KAFKA_SASL_PASSWORD` or `..._FILE` | its password, or a file that holds it |
| `ONEX_KAFKA_SSL_CAFILE` | PEM file of the CA(s) to trust (default: the system's) |
| `ONEX_KAFKA_SSL_CERTFILE`, `..._KEYFILE` | a client certificate and its key (mutual TLS) |
| `ONEX_KAFKA_SSL_KEY_PASSWORD` or `..._FILE` | the key's passphrase, when it has one |
| `ONEX_KAFKA_SSL_CHECK_HOSTNAME` | `true` (default) or `false` (`ssl.check_hostname`) |

A bad value is a `KafkaSecurityError` naming the variable and what was expected; the password
never appears in a message, and `onex_scenario.redaction.known_secrets` hides what a password
file holds as well as the variables' own values.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "ONEX_KAFKA_"
PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
SECRET_FILE_VARIABLES = (f"{PREFIX}SASL_PASSWORD_FILE", f"{PREFIX}SSL_KEY_PASSWORD_FILE")


class KafkaSecurityError(ValueError):
    """A Kafka security variable is set to something unusable; the message names it."""


@dataclass(frozen=True)
class KafkaSecurity:
    """The resolved settings (PLAINTEXT and nothing else when no variable is set)."""

    protocol: str = "PLAINTEXT"
    mechanism: str | None = None
    username: str | None = None
    password: str | None = None
    cafile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    key_password: str | None = None
    check_hostname: bool = True

    @property
    def uses_tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    def describe(self) -> str:
        """`SASL_SSL, SCRAM-SHA-512 as onex, CA /x/ca.pem` (no secret), for messages."""
        parts = [self.protocol]
        if self.uses_sasl:
            parts.append(f"{self.mechanism} as {self.username}")
        if self.uses_tls:
            parts.append(f"CA {self.cafile or 'of the system'}")
            if not self.check_hostname:
                parts.append("no hostname check")
        return ", ".join(parts)


def _get(env: Mapping[str, str], suffix: str) -> str | None:
    return env.get(PREFIX + suffix, "").strip() or None


def _secret(env: Mapping[str, str], suffix: str) -> str | None:
    """A secret given by value (`<NAME>`) or by file (`<NAME>_FILE`), not both."""
    value, file = env.get(PREFIX + suffix, ""), _get(env, f"{suffix}_FILE")
    if value and file:
        raise KafkaSecurityError(
            f"{PREFIX}{suffix} and {PREFIX}{suffix}_FILE are both set: expected one of them"
        )
    if file is None:
        return value or None
    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise KafkaSecurityError(
            f"{PREFIX}{suffix}_FILE={file}: cannot read it ({exc.strerror or exc})"
        ) from None
    # One trailing newline is how files end, not part of the password.
    return text[:-1] if text.endswith("\n") else text


def _file(env: Mapping[str, str], suffix: str) -> str | None:
    path = _get(env, suffix)
    if path is not None and not Path(path).is_file():
        raise KafkaSecurityError(f"{PREFIX}{suffix}={path}: no such file (expected a PEM file)")
    return path


def _choice(env: Mapping[str, str], suffix: str, known: tuple[str, ...]) -> str | None:
    value = _get(env, suffix)
    if value is None:
        return None
    if value.upper() not in known:
        raise KafkaSecurityError(f"{PREFIX}{suffix}={value!r}: expected one of {', '.join(known)}")
    return value.upper()


def kafka_security(environ: Mapping[str, str] | None = None) -> KafkaSecurity:
    """The settings of `environ` (default os.environ), checked: files exist, SASL is complete."""
    env = os.environ if environ is None else environ
    protocol = _choice(env, "SECURITY_PROTOCOL", PROTOCOLS) or "PLAINTEXT"
    mechanism = _choice(env, "SASL_MECHANISM", MECHANISMS)
    username = _get(env, "SASL_USERNAME")
    password = _secret(env, "SASL_PASSWORD")
    check = (_get(env, "SSL_CHECK_HOSTNAME") or "true").lower()
    if check not in (*_TRUE, *_FALSE):
        raise KafkaSecurityError(f"{PREFIX}SSL_CHECK_HOSTNAME={check!r}: expected true or false")
    security = KafkaSecurity(
        protocol=protocol,
        mechanism=mechanism,
        username=username,
        password=password,
        cafile=_file(env, "SSL_CAFILE"),
        certfile=_file(env, "SSL_CERTFILE"),
        keyfile=_file(env, "SSL_KEYFILE"),
        key_password=_secret(env, "SSL_KEY_PASSWORD"),
        check_hostname=check in _TRUE,
    )
    _check_complete(security)
    return security


def _check_complete(security: KafkaSecurity) -> None:
    sasl_given = [
        name
        for name, value in (
            ("SASL_MECHANISM", security.mechanism),
            ("SASL_USERNAME", security.username),
            ("SASL_PASSWORD", security.password),
        )
        if value
    ]
    where = f"{PREFIX}SECURITY_PROTOCOL={security.protocol}"
    if security.uses_sasl:
        missing = [
            f"{PREFIX}{name}"
            for name in ("SASL_MECHANISM", "SASL_USERNAME", "SASL_PASSWORD")
            if name not in sasl_given
        ]
        if missing:
            raise KafkaSecurityError(
                f"{where} needs {', '.join(missing)} (a password may come from "
                f"{PREFIX}SASL_PASSWORD_FILE)"
            )
    elif sasl_given:
        raise KafkaSecurityError(
            f"{PREFIX}{sasl_given[0]} is set but {where} does not use SASL: expected "
            "SASL_SSL or SASL_PLAINTEXT"
        )
    tls_given = [
        name
        for name, value in (
            ("SSL_CAFILE", security.cafile),
            ("SSL_CERTFILE", security.certfile),
            ("SSL_KEYFILE", security.keyfile),
        )
        if value
    ]
    if tls_given and not security.uses_tls:
        raise KafkaSecurityError(
            f"{PREFIX}{tls_given[0]} is set but {where} does not use TLS: expected SSL or SASL_SSL"
        )
    if security.keyfile and not security.certfile:
        raise KafkaSecurityError(f"{PREFIX}SSL_KEYFILE needs {PREFIX}SSL_CERTFILE as well")


def client_options(security: KafkaSecurity) -> dict[str, Any]:
    """Keyword arguments for aiokafka's producer, consumer and admin client."""
    options: dict[str, Any] = {"security_protocol": security.protocol}
    if security.uses_sasl:
        options |= {
            "sasl_mechanism": security.mechanism,
            "sasl_plain_username": security.username,
            "sasl_plain_password": security.password,
        }
    if security.uses_tls:
        options["ssl_context"] = ssl_context(security)
    return options


@functools.lru_cache(maxsize=8)
def ssl_context(security: KafkaSecurity) -> ssl.SSLContext:
    """The TLS context of `security` (one per settings: loading a CA file costs milliseconds)."""
    try:
        context = ssl.create_default_context(cafile=security.cafile)
    except (ssl.SSLError, OSError) as exc:
        raise KafkaSecurityError(
            f"{PREFIX}SSL_CAFILE={security.cafile}: not a PEM file of CA certificates ({exc})"
        ) from None
    context.check_hostname = security.check_hostname
    if security.certfile:
        try:
            context.load_cert_chain(
                security.certfile, security.keyfile, password=security.key_password
            )
        except (ssl.SSLError, OSError) as exc:
            raise KafkaSecurityError(
                f"{PREFIX}SSL_CERTFILE={security.certfile}: cannot load the client certificate "
                f"and key ({PREFIX}SSL_KEYFILE, {PREFIX}SSL_KEY_PASSWORD): {exc}"
            ) from None
    return context


def kafka_client_options(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`client_options` of the environment's settings: what every Kafka client adds."""
    return client_options(kafka_security(environ))
