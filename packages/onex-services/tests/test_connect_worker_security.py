"""The Connect worker's Kafka security properties: the settings every harness client of the
broker uses, for the worker and under each of its tasks' client prefixes; none for PLAINTEXT.
(That the worker really authenticates is the `secured` session's: its stack runs Connect on a
SASL_SSL-only broker and the Connect scenarios pass through it.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_services.errors import ServiceStartError
from onex_services.kinds.connect.security import worker_security_lines

pytestmark = pytest.mark.unit

URL = "127.0.0.1:9092"


def _secured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, password: str) -> Path:
    ca = tmp_path / "ca.pem"
    ca.write_text("not read here\n", encoding="utf-8")
    for name, value in {
        "SECURITY_PROTOCOL": "SASL_SSL",
        "SASL_MECHANISM": "SCRAM-SHA-512",
        "SASL_USERNAME": "onex",
        "SASL_PASSWORD": password,
        "SSL_CAFILE": str(ca),
    }.items():
        monkeypatch.setenv(f"ONEX_KAFKA_{name}", value)
    return ca


def test_plaintext_adds_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ONEX_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("ONEX_KAFKA_SECURITY_PROTOCOL", raising=False)
    assert worker_security_lines(URL) == []


def test_every_client_prefix_gets_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca = _secured(monkeypatch, tmp_path, 'p"w\\d')
    lines = worker_security_lines(URL)
    for prefix in ("", "producer.", "consumer.", "admin."):
        assert f"{prefix}security.protocol=SASL_SSL" in lines
        assert f"{prefix}sasl.mechanism=SCRAM-SHA-512" in lines
        assert f"{prefix}ssl.truststore.location={ca}" in lines
        assert f"{prefix}ssl.endpoint.identification.algorithm=https" in lines
        jaas = (
            f"{prefix}sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
            'required username="onex" password="p\\"w\\\\d";'
        )
        assert jaas in lines
    assert 'p"w' not in lines[0]  # the comment line describes the settings without the secret


def test_a_client_certificate_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _secured(monkeypatch, tmp_path, "pw")
    cert = tmp_path / "client.pem"
    cert.write_text("x\n", encoding="utf-8")
    monkeypatch.setenv("ONEX_KAFKA_SSL_CERTFILE", str(cert))
    with pytest.raises(ServiceStartError, match="client certificate"):
        worker_security_lines(URL)
