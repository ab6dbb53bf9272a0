"""The Connect worker's Kafka security settings: the same ones every harness client of that
broker uses (`kafka.security.security_for`: the environment's, else what a secured broker of
this machine published), as Java client properties.

The worker talks to Kafka through four clients of its own (its group membership, and the
producers, consumers and admin clients of connectors' tasks); each takes the settings under its
prefix, so they are written once per prefix. None for a PLAINTEXT broker: the worker's file then
stays exactly the template's.
"""

from __future__ import annotations

from onex_scenario.kafka_security import KafkaSecurity

from onex_services.errors import ServiceStartError
from onex_services.kinds.kafka.security import security_for

# The worker itself, then the clients connectors' tasks get (Connect reads each prefix).
_PREFIXES = ("", "producer.", "consumer.", "admin.")
_LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}


def worker_security_lines(kafka_url: str) -> list[str]:
    """The properties that make the worker's clients use the broker's security settings
    (empty for PLAINTEXT). The lines hold the password: the file is written 0600."""
    security = security_for(kafka_url)
    if security.protocol == "PLAINTEXT":
        return []
    if security.certfile:  # no test broker asks for one; a keystore would have to be made
        raise ServiceStartError(
            "Kafka Connect cannot use a client certificate",
            cause="ONEX_KAFKA_SSL_CERTFILE is set; the Connect worker has no keystore support",
            fix="run Connect against a broker that authenticates with SASL, or unset the variable",
        )
    settings = _settings(security)
    lines = [f"# Kafka security ({security.describe()}), for the worker and its tasks' clients."]
    for prefix in _PREFIXES:
        lines.extend(f"{prefix}{key}={value}" for key, value in settings)
    return lines


def _settings(security: KafkaSecurity) -> list[tuple[str, str]]:
    settings = [("security.protocol", security.protocol)]
    if security.uses_tls:
        if security.cafile:  # unset: the JDK's own trust store, as a managed cluster wants
            settings.append(("ssl.truststore.type", "PEM"))
            settings.append(("ssl.truststore.location", security.cafile))
        # Java checks the host name unless the algorithm is empty (`ssl.check_hostname`).
        settings.append(
            ("ssl.endpoint.identification.algorithm", "https" if security.check_hostname else "")
        )
    if security.uses_sasl:
        mechanism = security.mechanism or "PLAIN"
        module = _LOGIN_MODULES[mechanism]
        jaas = (
            f'{module} required username="{_quoted(security.username)}" '
            f'password="{_quoted(security.password)}";'
        )
        settings += [("sasl.mechanism", mechanism), ("sasl.jaas.config", jaas)]
    return settings


def _quoted(value: str | None) -> str:
    """A JAAS option value inside double quotes: backslashes and quotes escaped."""
    return (value or "").replace("\\", "\\\\").replace('"', '\\"')
