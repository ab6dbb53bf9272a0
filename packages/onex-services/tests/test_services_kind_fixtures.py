"""Each kind's client fixture comes from `onex.kind_fixtures`: its name is known to the pytest
plugin without loading the kind, it plans the kind's server, and an entry naming no kind is
refused by name."""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

import pytest
from onex_services import catalog
from onex_services.pytest_fixtures import FIXTURE_KINDS

pytestmark = pytest.mark.unit


def test_the_harness_kinds_client_fixtures_need_their_kinds_server() -> None:
    assert {name: FIXTURE_KINDS[name] for name in catalog.client_fixtures()} == {
        "kafka_topic": "kafka",
        "postgres_dsn": "postgres",
        "redis_prefix": "redis",
    }


def test_the_plugin_module_offers_each_client_fixture_by_name() -> None:
    from onex_services import client_fixtures

    for name in catalog.client_fixtures():
        assert getattr(client_fixtures, name, None) is not None, name


def test_an_entry_naming_no_kind_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    stray = EntryPoint("memcache", "somewhere.fixture:memcache_keys", "onex.kind_fixtures")
    real = entry_points

    def entries(*, group: str) -> list[EntryPoint]:
        return [stray] if group == catalog.CLIENT_FIXTURE_ENTRY_POINTS else list(real(group=group))

    monkeypatch.setattr(catalog, "entry_points", entries)
    catalog.client_fixtures.cache_clear()
    try:
        with pytest.raises(catalog.UnknownServiceKindError, match="memcache = somewhere"):
            catalog.client_fixtures()
    finally:
        catalog.client_fixtures.cache_clear()
