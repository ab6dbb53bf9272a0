"""Each kind fills in exactly the `${services.<name>.<field>}` fields its vocabulary offers an
app under test, with the run's namespace where the harness's expectations look."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_services.catalog import kind_specs

pytestmark = pytest.mark.unit

CLIENT_STRINGS = {
    "kafka": "127.0.0.1:19092,127.0.0.1:19093",
    "postgres": "postgresql://onex:s%3Acret@127.0.0.1:15432/postgres",
    "redis": "redis://:pw@127.0.0.1:16379/2",
}


@pytest.mark.parametrize("kind", sorted(CLIENT_STRINGS))
def test_a_kind_fills_in_every_field_it_offers(
    kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Kafka's client settings (SASL, TLS) are filled in as the environment gives them.
    (tmp_path / "ca.pem").write_text("", encoding="utf-8")
    for name, value in {
        "SECURITY_PROTOCOL": "SASL_SSL",
        "SASL_MECHANISM": "SCRAM-SHA-512",
        "SASL_USERNAME": "onex",
        "SASL_PASSWORD": "pw-of-kafka",
        "SSL_CAFILE": str(tmp_path / "ca.pem"),
    }.items():
        monkeypatch.setenv(f"ONEX_KAFKA_{name}", value)
    spec = kind_specs()[kind]
    assert spec.app_values is not None
    values = spec.app_values(CLIENT_STRINGS[kind], "onex_abc_main")
    assert tuple(values) == spec.vocabulary.app_fields
    assert all(isinstance(value, str) and value for value in values.values()), values


def test_the_namespace_is_where_the_app_must_put_things() -> None:
    specs = kind_specs()
    namespace = "onex_abc_main"
    fill = {kind: specs[kind].app_values for kind in CLIENT_STRINGS}
    assert all(f is not None for f in fill.values())
    kafka = fill["kafka"](CLIENT_STRINGS["kafka"], namespace)  # type: ignore[misc]
    postgres = fill["postgres"](CLIENT_STRINGS["postgres"], namespace)  # type: ignore[misc]
    redis = fill["redis"](CLIENT_STRINGS["redis"], namespace)  # type: ignore[misc]
    assert kafka["topic_prefix"] == "onex_abc_main."
    assert kafka["host"] == "127.0.0.1"
    assert kafka["port"] == "19092"
    assert postgres["schema"] == namespace
    assert postgres["password"] == "s:cret"
    assert postgres["dsn"].endswith("?options=-csearch_path%3Donex_abc_main")
    assert postgres["url"] == CLIENT_STRINGS["postgres"]
    assert redis["prefix"] == "onex_abc_main:"
    assert redis["db"] == "2"
