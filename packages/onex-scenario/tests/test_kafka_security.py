"""The Kafka SASL/TLS settings of the environment: what they resolve to, and the message a bad
value gets (the variable named, the password never)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from onex_scenario.kafka_security import (
    KafkaSecurity,
    KafkaSecurityError,
    client_options,
    kafka_security,
)
from onex_scenario.redaction import known_secrets, redact_text

pytestmark = pytest.mark.unit

SECRET = "s3cret-Of-the-broker"


def _sasl(**extra: str) -> dict[str, str]:
    return {
        "ONEX_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "ONEX_KAFKA_SASL_MECHANISM": "scram-sha-512",
        "ONEX_KAFKA_SASL_USERNAME": "onex",
        "ONEX_KAFKA_SASL_PASSWORD": SECRET,
        **extra,
    }


def test_nothing_set_is_plaintext() -> None:
    assert kafka_security({}) == KafkaSecurity()
    assert client_options(KafkaSecurity()) == {"security_protocol": "PLAINTEXT"}


def test_sasl_settings_become_client_options() -> None:
    options = client_options(kafka_security(_sasl()))
    assert options == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "onex",
        "sasl_plain_password": SECRET,
    }


def test_password_from_a_file_without_its_newline(tmp_path: Path) -> None:
    secret_file = tmp_path / "password"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    env = _sasl(ONEX_KAFKA_SASL_PASSWORD="", ONEX_KAFKA_SASL_PASSWORD_FILE=str(secret_file))
    assert kafka_security(env).password == SECRET
    # What the file holds is hidden wherever the harness writes, its path is not a secret.
    assert SECRET in known_secrets(env)
    assert redact_text(f"auth failed for {SECRET}", known_secrets(env)) == "auth failed for ***"


def test_tls_context_trusts_the_given_ca_and_checks_hostnames_unless_told(tmp_path: Path) -> None:
    ca = Path(ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt")
    env = {"ONEX_KAFKA_SECURITY_PROTOCOL": "SSL", "ONEX_KAFKA_SSL_CAFILE": str(ca)}
    context = client_options(kafka_security(env))["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.check_hostname
    assert context.verify_mode is ssl.CERT_REQUIRED
    env["ONEX_KAFKA_SSL_CHECK_HOSTNAME"] = "false"
    assert not client_options(kafka_security(env))["ssl_context"].check_hostname


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            _sasl(ONEX_KAFKA_SASL_MECHANISM="GSSAPI"),
            "ONEX_KAFKA_SASL_MECHANISM='GSSAPI': expected one of PLAIN, SCRAM-SHA-256, "
            "SCRAM-SHA-512",
        ),
        (
            {"ONEX_KAFKA_SECURITY_PROTOCOL": "TLS"},
            "ONEX_KAFKA_SECURITY_PROTOCOL='TLS': expected one of PLAINTEXT, SSL, "
            "SASL_PLAINTEXT, SASL_SSL",
        ),
        (
            {"ONEX_KAFKA_SECURITY_PROTOCOL": "SSL", "ONEX_KAFKA_SSL_CAFILE": "/nope/ca.pem"},
            "ONEX_KAFKA_SSL_CAFILE=/nope/ca.pem: no such file (expected a PEM file)",
        ),
        (
            _sasl(ONEX_KAFKA_SASL_PASSWORD=""),
            "ONEX_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT needs ONEX_KAFKA_SASL_PASSWORD",
        ),
        (
            _sasl(ONEX_KAFKA_SECURITY_PROTOCOL=""),
            "ONEX_KAFKA_SASL_MECHANISM is set but ONEX_KAFKA_SECURITY_PROTOCOL=PLAINTEXT does "
            "not use SASL",
        ),
        (
            _sasl(ONEX_KAFKA_SASL_PASSWORD_FILE="/nope/password"),
            "ONEX_KAFKA_SASL_PASSWORD and ONEX_KAFKA_SASL_PASSWORD_FILE are both set",
        ),
        (
            _sasl(ONEX_KAFKA_SASL_PASSWORD="", ONEX_KAFKA_SASL_PASSWORD_FILE="/nope/password"),
            "ONEX_KAFKA_SASL_PASSWORD_FILE=/nope/password: cannot read it",
        ),
        (
            _sasl(ONEX_KAFKA_SSL_CHECK_HOSTNAME="maybe"),
            "ONEX_KAFKA_SSL_CHECK_HOSTNAME='maybe': expected true or false",
        ),
    ],
)
def test_bad_settings_name_the_variable_never_the_password(
    env: dict[str, str], expected: str
) -> None:
    with pytest.raises(KafkaSecurityError) as caught:
        kafka_security(env)
    assert expected in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_ca_file_that_is_not_pem_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate\n", encoding="utf-8")
    env = {"ONEX_KAFKA_SECURITY_PROTOCOL": "SSL", "ONEX_KAFKA_SSL_CAFILE": str(bad)}
    with pytest.raises(KafkaSecurityError, match=r"ONEX_KAFKA_SSL_CAFILE=.*not a PEM file"):
        client_options(kafka_security(env))
