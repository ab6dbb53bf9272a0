"""Where machines share the servers (`ONEX_NAMESPACE_MARKS=1`, the external backend's default),
a scenario's own namespace carries the harness's marker on every real server it uses, renewed
while the scenario runs, so another machine's reaper leaves it alone; the renewals stop when
the scenario lets the namespace go."""

from __future__ import annotations

from typing import Any

import pytest
from onex_runner import OutcomeEnum
from onex_services.catalog import kind_spec
from onex_services.mark_keeper import keeper
from onex_services.namespaces import cleanup_namespace
from onex_services.pytest_fixtures import ServicesHolder
from onex_services.server_marks import parse_mark

pytestmark = [pytest.mark.integration, pytest.mark.requires_all_services]
KINDS = ("kafka", "postgres", "redis")


async def _marks(urls: dict[str, str], namespace: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for kind, url in urls.items():
        factory = kind_spec(kind).namespace_marks
        assert factory is not None, kind
        marks = factory(url)
        try:
            found[kind] = (await marks.read_all()).get(namespace, "")
        finally:
            await marks.close()
    return found


async def test_a_scenario_namespace_is_marked_and_renewed_while_it_runs(
    write_scenario: Any,
    run_scenarios: Any,
    monkeypatch: pytest.MonkeyPatch,
    onex_services: ServicesHolder,
) -> None:
    monkeypatch.setenv("ONEX_NAMESPACE_MARKS", "1")
    monkeypatch.setenv("ONEX_NAMESPACE_LEASE_S", "1.5")  # renewed every 0.5 s
    path = write_scenario(
        "marked_namespace", tier="integration", dependency_mode="real",
        external_services={kind: {"kind": kind} for kind in KINDS},
        resources={"kafka": {"topics": [{"name": "orders"}]}},
        steps=[{"id": "hold", "wait": "3s"}],
        cleanup_after=False,  # kept, so its marker can be read after the run
    )  # fmt: skip
    (result,), _ = await run_scenarios(path)
    assert result.outcome == OutcomeEnum.PASSED, result.message
    urls = {kind: onex_services.endpoint(kind).url for kind in KINDS}
    try:
        found = await _marks(urls, result.namespace)
        assert result.namespace not in keeper().held()  # let go with the namespace
    finally:
        await cleanup_namespace(result.namespace, urls)
    for kind, text in found.items():
        mark = parse_mark(text)
        assert mark is not None, f"no marker of {result.namespace} on {kind}"
        assert mark.lease_s == 1.5
        assert mark.renewed_at > mark.created_at + 1, kind  # renewed during the 3 s wait
