"""Against a SASL_SSL-only cluster given by the ONEX_* variables alone (the `secured` session):
the broker really refuses clients that ignore the settings, a whole run passes through it, and
none of its passwords reaches a report, a log or what `onex services` prints.

These tests fail, never skip, when the environment does not point at such a cluster.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from onex_scenario.kafka_security import client_options, kafka_security
from onex_scenario.redaction import known_secrets

pytestmark = pytest.mark.secured

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "scenarios" / "integration" / "scenario_orders_app_http.yaml"


@pytest.fixture(scope="module")
def servers() -> str:
    security = kafka_security()
    assert security.protocol == "SASL_SSL", "the secured session sets ONEX_KAFKA_SECURITY_PROTOCOL"
    assert os.environ.get("ONEX_SERVICES_BACKEND") == "external"
    return os.environ["ONEX_KAFKA_BOOTSTRAP_SERVERS"]


async def _topics(servers: str, **options: object) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=servers, request_timeout_ms=5000, **options)
    try:
        await admin.start()
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_clients_that_ignore_the_settings_are_refused(servers: str) -> None:
    asyncio.run(_topics(servers, **client_options(kafka_security())))  # the settings work
    with pytest.raises(KafkaError):
        asyncio.run(_topics(servers))  # PLAINTEXT: no listener speaks it
    no_password = {
        **os.environ,
        "ONEX_KAFKA_SASL_PASSWORD_FILE": "",
        "ONEX_KAFKA_SASL_PASSWORD": "x",
    }
    with pytest.raises(KafkaError):
        asyncio.run(_topics(servers, **client_options(kafka_security(no_password))))


def _onex(*args: str) -> subprocess.CompletedProcess[str]:
    onex = Path(sys.executable).with_name("onex")
    return subprocess.run(
        [str(onex), *args], capture_output=True, text=True, cwd=ROOT, check=False, timeout=300
    )


def test_no_password_reaches_a_report_a_log_or_status(servers: str, tmp_path: Path) -> None:
    secrets = known_secrets(os.environ)
    kafka_password = kafka_security().password
    assert kafka_password in secrets  # read from ONEX_KAFKA_SASL_PASSWORD_FILE
    reports = tmp_path / "reports"
    run = _onex(
        "run",
        str(SCENARIO),
        "--junit", str(reports / "junit.xml"),
        "--json", str(reports / "report.json"),
        "--html", str(reports / "report.html"),
        "--snapshots", str(reports / "snapshots.jsonl"),
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    outputs = {
        "onex run": run.stdout + run.stderr,
        **{
            f"onex services {' '.join(args)}": (done := _onex("services", *args)).stdout
            + done.stderr
            for args in (("status",), ("status", "--json"), ("health", "--json"))
        },
    }
    written = {
        str(path): path.read_text(errors="replace") for path in reports.rglob("*") if path.is_file()
    }
    assert len(written) >= 4
    state = Path(os.environ["ONEX_STATE_DIR"])
    logs = {str(p): p.read_text(errors="replace") for p in state.rglob("*.log") if p.is_file()}
    for where, text in {**outputs, **written, **logs}.items():
        leaked = [len(secret) for secret in secrets if secret in text]
        assert not leaked, f"{where} holds a password (of {leaked} characters)"
