"""`ONEX_POSTGRES_SECURITY` and `ONEX_REDIS_SECURITY`: harness options of the stack (in its
fingerprint, never in a config file), refused by the compose backend, and the config and
client strings of the secured servers."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from onex_services import server_settings
from onex_services.catalog import kind_spec
from onex_services.errors import SettingError
from onex_services.kinds.postgres_tls import SecuredPostgres, secured_postgres
from onex_services.kinds.redis_tls import SecuredRedis, secured_redis
from onex_services.stack_env import write_env
from onex_services.tls import server_tls

pytestmark = pytest.mark.unit

SECURED = {"ONEX_POSTGRES_SECURITY": "TLS", "ONEX_REDIS_SECURITY": "tls_acl"}


def test_the_options_are_part_of_the_settings_and_the_fingerprint(tmp_path: Path) -> None:
    settings = server_settings.resolve({}, SECURED)
    assert settings == {"postgres": {"security": "TLS"}, "redis": {"security": "tls_acl"}}
    assert server_settings.fingerprint(settings) != server_settings.fingerprint({})
    for kind in ("postgres", "redis"):
        assert server_settings.config_block(kind, settings[kind]) == ""  # never in a config
    server_settings.write(tmp_path, settings)
    assert secured_postgres(tmp_path, tmp_path / "postgres", None) is not None
    assert secured_redis(tmp_path, tmp_path / "redis", "pw") is not None


def test_without_the_options_the_servers_run_plain(tmp_path: Path) -> None:
    server_settings.write(tmp_path, server_settings.resolve({}, {}))
    assert secured_postgres(tmp_path, tmp_path / "postgres", None) is None
    assert secured_redis(tmp_path, tmp_path / "redis", "pw") is None
    assert not (tmp_path / "postgres").exists()  # no certificate made for a plain server


def _postgres(stack_dir: Path) -> object:
    return secured_postgres(stack_dir, stack_dir / "postgres", None)


def _redis(stack_dir: Path) -> object:
    return secured_redis(stack_dir, stack_dir / "redis", "pw")


@pytest.mark.parametrize(
    ("variable", "value", "secured"),
    [("ONEX_POSTGRES_SECURITY", "ssl", _postgres), ("ONEX_REDIS_SECURITY", "tls", _redis)],
)
def test_an_unknown_value_names_the_variable(
    tmp_path: Path, variable: str, value: str, secured: Callable[[Path], object]
) -> None:
    server_settings.write(tmp_path, server_settings.resolve({}, {variable: value}))
    with pytest.raises(SettingError, match=rf"{variable}='{value}': expected one of plain, "):
        secured(tmp_path)


@pytest.mark.parametrize("variable", ["ONEX_POSTGRES_SECURITY", "ONEX_REDIS_SECURITY"])
def test_the_compose_backend_refuses_a_secured_store(variable: str) -> None:
    settings = server_settings.resolve({}, {variable: SECURED[variable]})
    with pytest.raises(SettingError, match=rf"{variable}=\w+: .* process backend only"):
        server_settings.compose_overrides({"services": {}}, settings)
    plain = server_settings.resolve({}, {variable: "plain"})
    assert server_settings.compose_overrides({"services": {}}, plain) == {}


def test_postgres_asks_for_tls_and_a_checked_host_name(tmp_path: Path) -> None:
    secured = SecuredPostgres(server_tls(tmp_path / "tls"))
    assert "\nssl = on\n" in secured.config()
    url = secured.url("postgresql://postgres:pw@127.0.0.1:5432/postgres?application_name=x")
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "application_name": ["x"],
        "sslmode": ["verify-full"],
        "sslrootcert": [str(tmp_path / "tls" / "ca.pem")],
    }
    (tmp_path / "data").mkdir()
    secured.write_hba(tmp_path / "data", None)
    rules = [
        line.split()
        for line in (tmp_path / "data" / "pg_hba.conf").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert {rule[0] for rule in rules} == {"hostssl"}
    assert {rule[-1] for rule in rules} == {"scram-sha-256"}


def test_redis_has_no_plain_port_and_no_default_user(tmp_path: Path) -> None:
    secured = SecuredRedis(server_tls(tmp_path / "tls"), "p@ss/word")
    text = secured.config("bind 127.0.0.1\nport 6390\nrequirepass p@ss/word\ndir /x\n")
    lines = text.splitlines()
    assert lines[:3] == ["bind 127.0.0.1", "port 0", "tls-port 6390"]
    assert not any(line.startswith("requirepass") for line in lines)
    assert "user default off resetpass -@all" in lines
    assert "user onex on >p@ss/word ~* &* +@all" in lines
    url = urlsplit(secured.url("127.0.0.1", 6390))
    assert (url.scheme, url.username, url.port) == ("rediss", "onex", 6390)
    assert url.password == "p%40ss%2Fword"  # quoted: redis-py unquotes it
    assert parse_qs(url.query) == {"ssl_ca_certs": [str(tmp_path / "tls" / "ca.pem")]}


def test_the_attach_file_reads_back_in_a_shell(tmp_path: Path) -> None:
    values = {
        "ONEX_DB_URL": "postgresql://u:p@h:1/d?sslmode=verify-full&sslrootcert=/a b/ca.pem",
        "ONEX_REDIS_URL": "rediss://onex:p@h:2/0?ssl_ca_certs=/x/ca.pem",
        "ONEX_EMPTY": "",
    }
    target = tmp_path / "attach.env"
    write_env(target, values)
    assert target.stat().st_mode & 0o077 == 0
    script = f"set -a; . {target}; set +a; " + "; ".join(
        f'printf "%s\\0" "${name}"' for name in values
    )
    read = subprocess.run(["sh", "-c", script], capture_output=True, check=True).stdout
    assert read.decode().split("\0")[:-1] == list(values.values())


def test_a_redis_connection_block_keeps_the_acl_user() -> None:
    connection = kind_spec("redis").connection
    assert connection is not None
    url = "rediss://onex:pw@10.0.0.5:6380/2?ssl_ca_certs=/ca.pem"
    assert connection.address({"url": url}).url == url
    given = connection.address({"url": url, "password": "other", "db": 3}).url
    assert given == "rediss://onex:other@10.0.0.5:6380/3?ssl_ca_certs=/ca.pem"
