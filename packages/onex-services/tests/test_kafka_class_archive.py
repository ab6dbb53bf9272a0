"""The broker's class archive option: given only when the archive was made and not switched
off, and named after what it depends on (another java or other jars get another file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from onex_services.kinds.kafka.class_archive import SWITCH, archive_options, archive_path
from onex_services.kinds.kafka.dist import KafkaDist
from onex_services.kinds.kafka.java import JavaInfo

JAVA = JavaInfo(Path("/usr/bin/java"), 17, 'openjdk version "17.0.15"')


def _dist(tmp_path: Path) -> KafkaDist:
    libs = tmp_path / "4.1.2" / "libs"
    libs.mkdir(parents=True)
    return KafkaDist("4.1.2", libs, "cache")


def test_no_option_until_the_archive_exists(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    assert archive_options(JAVA, dist) == []
    archive_path(JAVA, dist).write_bytes(b"archive")
    assert archive_options(JAVA, dist) == [f"-XX:SharedArchiveFile={archive_path(JAVA, dist)}"]


def test_the_switch_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = _dist(tmp_path)
    archive_path(JAVA, dist).write_bytes(b"archive")
    monkeypatch.setenv(SWITCH, "0")
    assert archive_options(JAVA, dist) == []


def test_another_java_gets_another_archive(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    other = JavaInfo(Path("/opt/jdk21/bin/java"), 21, 'openjdk version "21.0.2"')
    assert archive_path(JAVA, dist) != archive_path(other, dist)
    assert archive_path(JAVA, dist).parent == dist.libs.parent
