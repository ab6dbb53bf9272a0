"""The HTML report renders in a real headless Chromium, scripts included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from onex_runner import RunOptions, ScenarioRunner
from onex_runner.browser import render_dom
from onex_runner.reports import write_html
from onex_scenario.loader import ScenarioLoader
from onex_services.models import ServiceEndpoint

pytestmark = pytest.mark.e2e


async def test_the_report_renders_with_its_summary_and_tool_classes(
    write_scenario: Any, tmp_path: Path
) -> None:
    ok = write_scenario("renders_ok", steps=[{"id": "b", "call": "bump"}])
    bad = write_scenario(
        "renders_bad", steps=[{"id": "b", "call": "bump"}],
        expect=[{"output": {"step": "b", "value": {"count": 5}}}],
        external_services={"kafka": {"kind": "kafka"}},
    )  # fmt: skip
    runner = ScenarioRunner(RunOptions())
    loader = ScenarioLoader()
    try:
        results = [await runner.run(loader.load(p)) for p in (ok, bad)]
    finally:
        await runner.close()
    page = tmp_path / "report.html"
    write_html(results, page)
    dom = render_dom(page)
    assert 'data-rendered="yes"' in dom  # the page's script ran
    assert "2 scenarios" in dom
    assert "1 passed" in dom
    assert "1 failed" in dom
    assert "InMemoryEventBus" in dom
    assert "renders_bad" in dom


async def test_a_failed_real_scenario_shows_what_its_steps_changed_in_the_services(
    write_scenario: Any, tmp_path: Path, real_redis: ServiceEndpoint
) -> None:
    path = write_scenario(
        "state_shown", dependency_mode="real", node=None, tier="integration",
        external_services={"redis": {"kind": "redis"}},
        resources={"redis": {"seed": {"greeting": "hello"}}},
        expect=[{"key": {"key": "greeting", "value": "bye"}}],
    )  # fmt: skip
    runner = ScenarioRunner(RunOptions())
    try:
        result = await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()
    page = tmp_path / "report.html"
    write_html([result], page)
    dom = render_dom(page)
    assert "Service state: before → after the steps" in dom
    assert "the steps changed nothing" in dom  # an expectation reads; nothing was written
    assert "resources after the cleanup" in dom
