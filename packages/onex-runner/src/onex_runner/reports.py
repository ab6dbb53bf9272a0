"""Reports of a run: JUnit XML (for CI), JSON (for tools) and one self-contained HTML page.

Every writer redacts the results first (`redacted`) and writes mode 0600 (`write_private`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from onex_scenario.private_files import write_private
from onex_scenario.redaction import known_secrets, redact

from onex_runner.events import events_from_results
from onex_runner.report_page import render_report
from onex_runner.results import ModelRunSummary, ModelScenarioResult, OutcomeEnum, redacted


def write_junit(
    results: list[ModelScenarioResult], path: Path, *, interrupted: bool = False
) -> None:
    """One testsuite; a run stopped by SIGINT carries the property `interrupted=true`."""
    results = [redacted(r) for r in results]
    summary = ModelRunSummary.of(results, sum(r.duration_ms for r in results))
    suite = ET.Element(
        "testsuite",
        name="onex-scenarios",
        tests=str(summary.total),
        failures=str(summary.failed),
        errors=str(summary.errors),
        skipped=str(summary.skipped),
        time=f"{summary.duration_ms / 1000:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="interrupted", value=str(interrupted).lower())
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"scenarios.{result.tier}",
            name=result.name,
            file=result.path,
            time=f"{result.duration_ms / 1000:.3f}",
        )
        # JUnit wants <properties> first in a test case.
        if result.metadata:
            properties = ET.SubElement(case, "properties")
            for key, value in result.metadata.items():
                shown = value if isinstance(value, str) else json.dumps(value, default=str)
                ET.SubElement(properties, "property", name=f"metadata.{key}", value=shown)
        if result.outcome is OutcomeEnum.FAILED:
            ET.SubElement(case, "failure", message=result.message).text = _details(result)
        elif result.outcome is OutcomeEnum.ERROR:
            ET.SubElement(case, "error", message=result.message).text = _details(result)
        elif result.outcome is OutcomeEnum.SKIPPED:
            ET.SubElement(case, "skipped", message=result.message)
        tools = ", ".join(
            f"{t['service']}={t['instantiated_class']} ({t['mode']}, {t['mode_source']})"
            for t in result.tools
        )
        ET.SubElement(
            case, "system-out"
        ).text = f"tier: {result.tier_label}\ntools: {tools}\nnamespace: {result.namespace}"
    text = ET.tostring(suite, encoding="unicode", xml_declaration=True)
    write_private(path, text)


def _details(result: ModelScenarioResult) -> str:
    lines = [result.message]
    for step in [*result.steps, *result.expectations]:
        if step.outcome is not OutcomeEnum.PASSED:
            lines.append(f"{step.id} ({step.action}): {step.message}")
    if result.log_tail:
        lines.append(result.log_tail)
    return "\n".join(lines)


def report_data(
    results: list[ModelScenarioResult],
    differences: list[dict[str, Any]] | None = None,
    *,
    interrupted: bool = False,
) -> dict[str, Any]:
    summary = ModelRunSummary.of(results, sum(r.duration_ms for r in results))
    return {
        "interrupted": interrupted,  # stopped by SIGINT: `scenarios` holds what finished
        "summary": summary.model_dump(mode="json"),
        "scenarios": [redacted(r).model_dump(mode="json") for r in results],
        "mode_differences": redact(differences or [], known_secrets(os.environ)),
    }


def write_json(
    results: list[ModelScenarioResult],
    path: Path,
    differences: list[dict[str, Any]] | None = None,
    *,
    interrupted: bool = False,
) -> None:
    data = report_data(results, differences, interrupted=interrupted)
    write_private(path, json.dumps(data, indent=2, default=str))


def render_html(
    results: list[ModelScenarioResult],
    differences: list[dict[str, Any]] | None = None,
    *,
    interrupted: bool = False,
) -> str:
    """The report page for results that were not recorded as an event stream."""
    return render_report(events_from_results(results, differences, interrupted=interrupted))


def write_html(
    results: list[ModelScenarioResult],
    path: Path,
    differences: list[dict[str, Any]] | None = None,
    *,
    interrupted: bool = False,
) -> None:
    write_private(path, render_html(results, differences, interrupted=interrupted))
