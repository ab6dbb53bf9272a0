"""The one pom that fetches Apache Kafka's jars from Maven Central (the broker's and Connect's):
the named Kafka artifacts at the release's version, and the log4j binding Kafka's release ships."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from onex_services.kinds.connect.dist import ARTIFACTS
from onex_services.kinds.kafka.dist import LOG4J_VERSION, kafka_pom

pytestmark = pytest.mark.unit

NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def _dependencies(pom: str) -> list[tuple[str, str, str]]:
    def field(dep: ET.Element, name: str) -> str:
        return dep.findtext(f"m:{name}", namespaces=NS) or ""

    return [
        (field(dep, "groupId"), field(dep, "artifactId"), field(dep, "version"))
        for dep in ET.fromstring(pom).iterfind("m:dependencies/m:dependency", NS)
    ]


def test_the_pom_lists_kafkas_artifacts_and_the_log4j_binding() -> None:
    pom = kafka_pom("Kafka Connect's jars", "kafka-connect-libs", "4.1.0", ARTIFACTS)
    root = ET.fromstring(pom)
    assert root.findtext("m:artifactId", namespaces=NS) == "kafka-connect-libs"
    assert root.findtext("m:packaging", namespaces=NS) == "pom"
    assert _dependencies(pom) == [
        *(("org.apache.kafka", name, "4.1.0") for name in ARTIFACTS),
        ("org.apache.logging.log4j", "log4j-slf4j-impl", LOG4J_VERSION),
    ]
