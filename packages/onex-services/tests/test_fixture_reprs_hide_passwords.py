"""A failing test prints its fixtures' values (pytest shows their repr in the traceback, which
reaches CI logs and JUnit files): the values that hold a server's password show it redacted,
while a client still reads the whole URL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from onex_scenario.redaction import SecretUrl
from onex_services.kinds.redis_fixture import RedisPrefix
from onex_services.models import ServiceEndpoint
from onex_services.namespace_pool import ScopedNamespace

PASSWORD = "s3cr3t-Pa55word"
DSN = f"postgresql://onex:{PASSWORD}@127.0.0.1:5432/postgres"
REDIS = f"redis://:{PASSWORD}@127.0.0.1:6379/0"

pytestmark = pytest.mark.unit


def test_an_endpoint_shows_its_url_redacted_and_hands_it_whole() -> None:
    endpoint = ServiceEndpoint(kind="postgres", backend="process", host="h", port=1, url=DSN)
    assert PASSWORD not in repr(endpoint)
    assert PASSWORD not in str(endpoint)
    assert "postgresql://onex:***@127.0.0.1:5432/postgres" in repr(endpoint)
    assert endpoint.url == DSN
    assert endpoint.model_dump()["url"] == DSN


def test_a_test_namespace_and_a_redis_prefix_show_no_password() -> None:
    namespace = ScopedNamespace(
        name="onex_t1",
        urls={"postgres": DSN, "redis": REDIS},
        prefixes={"postgres": "onex_t1", "redis": "onex_t1:"},
    )
    assert PASSWORD not in repr(namespace)
    assert "onex_t1" in repr(namespace)
    assert namespace.url("postgres") == DSN
    prefix = RedisPrefix(url=REDIS, namespace="onex_t1")
    assert PASSWORD not in repr(prefix)
    assert prefix.url == REDIS


def test_a_secret_url_is_the_url_for_clients() -> None:
    url = SecretUrl(DSN)
    assert url == DSN
    assert f"{url}" == DSN
    assert str(url) == DSN
    assert PASSWORD not in repr(url)
    assert PASSWORD not in repr([url])


TEST = f"""
import pytest
from onex_services.models import ServiceEndpoint
from onex_scenario.redaction import SecretUrl

@pytest.fixture
def endpoint():
    return ServiceEndpoint(kind="postgres", backend="process", host="h", port=1, url={DSN!r})

@pytest.fixture
def dsn():
    return SecretUrl({DSN!r})

def test_fails(endpoint, dsn):
    assert endpoint.port == 2
"""


def test_a_failing_tests_traceback_and_junit_file_hold_no_password(tmp_path: Path) -> None:
    (tmp_path / "test_fails.py").write_text(TEST)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist"),
            *("-l", "--junitxml", str(tmp_path / "junit.xml")),  # -l: the locals too
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "endpoint = ServiceEndpoint(" in output  # the traceback did show the fixtures
    assert PASSWORD not in output
    assert PASSWORD not in (tmp_path / "junit.xml").read_text()
