"""The one redaction function: passwords in URLs and DSNs, secret-named keys, known secrets."""

from __future__ import annotations

import pytest
from onex_scenario.redaction import (
    REDACTED,
    is_secret_key,
    known_secrets,
    redact,
    redact_text,
    redact_url,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://u:pw@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("redis://:s3cr3t@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("to postgres://onex:a-b_c@db/x failed", "to postgres://onex:***@db/x failed"),
        ("host=h port=5 password=pw dbname=d", "host=h port=5 password=*** dbname=d"),
        ("host=h PASSWORD = 'p w' user=u", "host=h PASSWORD = '***' user=u"),
        ("https://x/y?token=abc&page=2", "https://x/y?token=***&page=2"),
        ("sasl_password=hunter2", "sasl_password=***"),
        ("{'password': 'pw', 'user': 'u'}", "{'password': '***', 'user': 'u'}"),
        ('{"api_key": "k1", "n": 1}', '{"api_key": "***", "n": 1}'),
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer ***"),
    ],
)
def test_redact_text_hides_passwords_in_urls_dsns_and_reprs(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "http://host:8080/a@b",
        "kafka 127.0.0.1:9092 refused",
        "postgresql://u@h/db",
        "external_services.postgres.connection.password: Input should be a valid string",
        "expected 'token' in the reply",
    ],
)
def test_redact_text_keeps_text_without_a_secret(text: str) -> None:
    assert redact_text(text) == text


def test_known_secrets_are_hidden_wherever_they_appear() -> None:
    secret = "Zq8-generated_pw"
    assert redact_text(f"log: auth failed for {secret}!", [secret]) == "log: auth failed for ***!"
    # Too short to be told apart from ordinary text: not used.
    assert redact_text("a cat", ["a"]) == "a cat"


@pytest.mark.parametrize(
    "key",
    ["password", "PassWord", "sasl_password", "client_secret", "access_token", "api_key",
     "apiKey", "API-KEY", "credentials", "private_key", "passwd", "passphrase"],
)  # fmt: skip
def test_secret_key_names(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["user", "host", "passed", "correlation_id", 3])
def test_ordinary_key_names(key: object) -> None:
    assert not is_secret_key(key)


def test_redact_walks_mappings_and_lists_and_replaces_secret_values_whole() -> None:
    value = {
        "url": "postgresql://u:pw@h/db",
        "password": "pw",
        "credentials": {"user": "u", "key": "k"},
        "token": None,
        "steps": [{"output": "redis://:x@h"}, 3, ("password=y",)],
    }
    assert redact(value) == {
        "url": "postgresql://u:***@h/db",
        "password": REDACTED,
        "credentials": REDACTED,
        "token": None,
        "steps": [{"output": "redis://:***@h"}, 3, ["password=***"]],
    }


def test_redact_url_is_the_same_redaction() -> None:
    assert redact_url("redis://u:p@h") == redact_text("redis://u:p@h") == "redis://u:***@h"


def test_known_secrets_come_from_the_harness_settings_only() -> None:
    environ = {
        "ONEX_DB_URL": "postgresql://onex:from-url@127.0.0.1:5432/db",
        "ONEX_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
        "ONEX_REDIS_PASSWORD": "redis-pw",
        "ONEX_DB_HOST": "db",
        "TOKENIZERS_PARALLELISM": "false",
        "ONEX_BAD_URL": "http://h:notaport/x",
    }
    assert known_secrets(environ) == ["from-url", "redis-pw"]
