"""The SASL and TLS options of the harness's own Kafka clients (probe, janitor, markers, state
reader, seeder, Connect's probe).

They are the environment's (`onex_scenario.kafka_security`, `ONEX_KAFKA_SECURITY_PROTOCOL` and
the rest) when it sets a protocol; else, for a secured broker that the harness started on this
machine (`secured`), the client settings it published under the state dir for its port; else
none (PLAINTEXT). A bad variable fails with its name (`SettingError`), never with a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from onex_scenario.kafka_security import KafkaSecurity, KafkaSecurityError, kafka_security
from onex_scenario.kafka_security import client_options as security_options

from onex_services.errors import SettingError
from onex_services.kinds.kafka.secured import PUBLISHED
from onex_services.ownership import NotOwnedError, read_owned
from onex_services.settings import Paths

PROTOCOL_VARIABLE = "ONEX_KAFKA_SECURITY_PROTOCOL"


def security_for(url: str) -> KafkaSecurity:
    """The settings a client of the broker at `url` uses."""
    try:
        if os.environ.get(PROTOCOL_VARIABLE, "").strip():
            return kafka_security()
        return kafka_security(_published(url) or {})
    except KafkaSecurityError as exc:
        raise SettingError(str(exc)) from None


def client_options(url: str) -> dict[str, Any]:
    """aiokafka keyword arguments for a client of the broker at `url`."""
    try:
        return security_options(security_for(url))
    except KafkaSecurityError as exc:  # a CA file that is not PEM shows when it is loaded
        raise SettingError(str(exc)) from None


def app_values(url: str) -> dict[str, str]:
    """An app's view of the settings (`${services.<name>.security_protocol}` and the rest;
    empty strings where a setting does not apply)."""
    security = security_for(url)
    return {
        "security_protocol": security.protocol,
        "sasl_mechanism": security.mechanism or "",
        "sasl_username": security.username or "",
        "sasl_password": security.password or "",
        "ssl_cafile": security.cafile or "",
        "ssl_check_hostname": "true" if security.check_hostname else "false",
    }


def _published(url: str) -> dict[str, str] | None:
    """The settings a secured broker of this machine published for `url`'s first port, None
    when there are none or they are stale (their CA file is gone with its stack)."""
    first = url.split(",", maxsplit=1)[0].strip()
    host, _, port = first.rpartition(":")
    if host not in ("127.0.0.1", "localhost") or not port.isdigit():
        return None
    path = published_env_file(Paths.from_env().state_dir, int(port))
    try:
        text = read_owned(path).decode()
    except (FileNotFoundError, NotOwnedError):
        return None
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    if not Path(values.get("ONEX_KAFKA_SSL_CAFILE", "")).is_file():
        path.unlink(missing_ok=True)
        return None
    return values


def published_env_file(state_dir: Path, port: int) -> Path:
    """Where a secured broker on `port` published its client settings."""
    return state_dir / PUBLISHED / f"{port}.env"
