"""Finding what the process backend needs, and choosing backends, with clear messages."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from onex_services import docker_engine
from onex_services.backends import choose_managed_backend, load_backend
from onex_services.backends.process import ProcessBackend
from onex_services.errors import BackendUnavailableError, MissingBinaryError
from onex_services.kinds.kafka.dist import _parse_sha512, find_kafka, require_kafka
from onex_services.kinds.redis import find_redis_server
from onex_services.settings import Paths

pytestmark = pytest.mark.unit


def _paths(tmp_path: Path) -> Paths:
    return Paths(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache", run_dir=tmp_path)


def test_kafka_home_is_used_and_its_version_read_from_the_jar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    libs = tmp_path / "kafka" / "libs"
    libs.mkdir(parents=True)
    (libs / "kafka_2.13-4.0.1.jar").write_bytes(b"")
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    monkeypatch.setenv("ONEX_KAFKA_HOME", str(tmp_path / "kafka"))
    dist = find_kafka(tmp_path / "cache", "9.9.9")
    assert dist is not None
    assert (dist.version, dist.libs, dist.source) == ("4.0.1", libs, "$ONEX_KAFKA_HOME")


def test_a_kafka_home_without_jars_is_an_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONEX_KAFKA_HOME", raising=False)
    monkeypatch.setenv("KAFKA_HOME", str(tmp_path))
    with pytest.raises(MissingBinaryError, match=r"\$KAFKA_HOME does not hold a Kafka release"):
        find_kafka(tmp_path / "cache", "4.1.2")


def test_a_half_filled_cache_does_not_count_and_the_error_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONEX_KAFKA_HOME", raising=False)
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    (tmp_path / "cache" / "kafka" / "4.1.2" / "libs").mkdir(parents=True)
    with pytest.raises(MissingBinaryError) as info:
        require_kafka(tmp_path / "cache", "4.1.2")
    assert "onex services install" in str(info.value)
    (tmp_path / "cache" / "kafka" / "4.1.2" / ".complete").write_text("test\n")
    assert require_kafka(tmp_path / "cache", "4.1.2").source == "cache"


def test_apache_sha512_files_are_read_in_both_published_layouts() -> None:
    digest = hashlib.sha512(b"kafka").hexdigest()
    grouped = " ".join(digest[i : i + 8].upper() for i in range(0, 128, 8))
    gpg_style = f"kafka_2.13-4.1.2.tgz: {grouped[:60]}\n   {grouped[60:]}\n"
    assert _parse_sha512(gpg_style) == digest
    assert _parse_sha512(f"{digest}  kafka_2.13-4.1.2.tgz\n") == digest


def test_a_missing_redis_server_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("ONEX_REDIS_SERVER", raising=False)
    with pytest.raises(MissingBinaryError) as info:
        find_redis_server()
    assert "onex services install" in str(info.value)
    with pytest.raises(MissingBinaryError):
        ProcessBackend(_paths(tmp_path)).check_available(["redis"])


def test_unknown_backends_list_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="auto, process, compose, external"):
        load_backend("podman", _paths(tmp_path))


def test_auto_says_why_it_passed_a_backend_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no Kafka in the cache, nothing can run Kafka: the error names each backend's reason."""
    # Whatever this machine runs: here no Docker engine answers (a unit test asks none).
    monkeypatch.setattr(docker_engine, "engine_answers", lambda: False)
    monkeypatch.delenv("ONEX_KAFKA_HOME", raising=False)
    monkeypatch.delenv("KAFKA_HOME", raising=False)
    with pytest.raises(BackendUnavailableError) as info:
        choose_managed_backend("auto", ["kafka"], _paths(tmp_path))
    message = str(info.value)
    assert "compose:" in message
    assert "process: Kafka" in message
    assert "onex services install" in message
