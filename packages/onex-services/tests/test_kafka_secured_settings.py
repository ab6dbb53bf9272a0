"""`ONEX_KAFKA_SECURITY=sasl_ssl`: a harness option of the stack (in its fingerprint, never in a
config file), and the server.properties of a broker whose client listeners are all SASL_SSL."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_services import server_settings
from onex_services.errors import SettingError
from onex_services.kinds.kafka.secured import SecuredBroker, security_choice, shared_identity
from onex_services.tls import server_tls

pytestmark = pytest.mark.unit

SECURED = {"ONEX_KAFKA_SECURITY": "SASL_SSL"}


def test_the_option_is_part_of_the_settings_and_the_fingerprint(tmp_path: Path) -> None:
    settings = server_settings.resolve({}, SECURED)
    assert settings == {"kafka": {"security": "SASL_SSL"}}
    assert server_settings.fingerprint(settings) != server_settings.fingerprint({})
    assert server_settings.config_block("kafka", settings["kafka"]) == ""  # never in a config
    server_settings.write(tmp_path, settings)
    assert security_choice(tmp_path) == "sasl_ssl"


def test_an_unknown_value_names_the_variable(tmp_path: Path) -> None:
    server_settings.write(tmp_path, server_settings.resolve({}, {"ONEX_KAFKA_SECURITY": "ssl"}))
    with pytest.raises(SettingError, match=r"ONEX_KAFKA_SECURITY='ssl': expected one of "):
        security_choice(tmp_path)


def test_every_client_listener_is_sasl_ssl_with_a_login_per_mechanism(tmp_path: Path) -> None:
    tls = server_tls(tmp_path / "tls")
    assert server_tls(tmp_path / "tls") == tls  # a restart keeps its certificates
    broker = SecuredBroker(tmp_path, tls, "pw-of-the-stack", tmp_path / "tls" / "pw")
    rendered = "\n".join(
        [
            "listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,FAULT0://127.0.0.1:1",
            "advertised.listeners=PLAINTEXT://127.0.0.1:9092,FAULT0://127.0.0.1:2",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
            "FAULT0:PLAINTEXT",
        ]
    )
    lines = broker.properties(rendered).splitlines()
    assert lines[0] == (
        "listeners=SASL_SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,FAULT0://127.0.0.1:1"
    )
    assert lines[2] == "inter.broker.listener.name=SASL_SSL"
    assert lines[3] == (
        "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT,FAULT0:SASL_SSL"
    )
    logins = sorted(line.split(".sasl.jaas")[0] for line in lines if ".sasl.jaas.config=" in line)
    assert logins == [
        f"listener.name.{listener}.{mechanism}"
        for listener in ("fault0", "sasl_ssl")
        for mechanism in ("plain", "scram-sha-256", "scram-sha-512")
    ]
    argfile = broker.format_argfile(["kafka.tools.StorageTool", "format"])
    held = Path(argfile[1:])
    assert held.stat().st_mode & 0o077 == 0
    assert "--add-scram\nSCRAM-SHA-512=[name=onex,password=pw-of-the-stack]" in held.read_text()
    broker.forget_argfile()
    assert not held.exists()


def test_brokers_of_one_security_dir_share_their_identity(tmp_path: Path) -> None:
    folder = tmp_path / "identity"
    first = shared_identity(tmp_path / "one", folder)
    second = shared_identity(tmp_path / "two", folder)
    assert first.tls == second.tls  # one CA and certificate for every broker of the tier
    assert first.password == second.password
    assert len(first.password) >= 20
    assert first.password_file == folder / "sasl_password"
    assert first.password_file.stat().st_mode & 0o077 == 0
    assert first.home != second.home  # each broker keeps its own argument file and client.env


def test_a_relative_security_dir_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match=r"ONEX_KAFKA_SECURITY_DIR=rel: expected an absolute"):
        shared_identity(tmp_path, Path("rel"))
