"""Reports of a run: JUnit XML (for CI), JSON (for tools) and one self-contained HTML page.

Every writer redacts the results first (`redacted`) and writes mode 0600 (`write_private`).
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from onex_scenario.private_files import write_private
from onex_scenario.redaction import known_secrets, redact

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


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem} table{border-collapse:collapse;margin:.5rem 0 1rem}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}
.passed{color:#17702a}.failed,.error{color:#b00020}.skipped{color:#8a6d00}
details{margin:.4rem 0;border:1px solid #ddd;padding:.3rem .6rem;border-radius:4px}
pre{white-space:pre-wrap;font-size:.8rem;background:#f6f6f6;padding:.4rem}
#summary span{margin-right:1rem;font-weight:600}
"""

# The summary line is rendered by script from the embedded data, so a browser test can prove the
# page really runs (a page that only looks right as static text would not show it).
_SCRIPT = """
const data = JSON.parse(document.getElementById('onex-data').textContent);
const s = data.summary;
document.getElementById('summary').innerHTML =
  `<span id="total">${s.total} scenarios</span><span class="passed">${s.passed} passed</span>` +
  `<span class="failed">${s.failed} failed</span>` +
  `<span class="skipped">${s.skipped} skipped</span>` +
  `<span class="error">${s.errors} errors</span>`;
document.body.dataset.rendered = 'yes';
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def render_html(
    results: list[ModelScenarioResult],
    differences: list[dict[str, Any]] | None = None,
    *,
    interrupted: bool = False,
) -> str:
    data = report_data(results, differences, interrupted=interrupted)
    results = [redacted(r) for r in results]
    differences = data["mode_differences"] if differences is not None else None
    rows = []
    for r in results:
        tools = "<br>".join(
            f"{_e(t['service'])}: <b>{_e(t['mode'])}</b> ({_e(t['mode_source'])}) "
            f"{_e(t['instantiated_class'].rsplit('.', 1)[-1])}"
            for t in r.tools
        )
        health = "<br>".join(
            f"{_e(s.service)} {_e(s.status)}"
            + (f" {s.latency_ms:.0f} ms" if s.latency_ms is not None else "")
            for s in r.preconditions.services
        ) or _e(r.preconditions.status)
        steps = "".join(
            f"<tr><td>{_e(st.id)}</td><td>{_e(st.action)}</td><td class='{st.outcome}'>"
            f"{_e(st.outcome)}</td><td>{st.duration_ms:.1f} ms</td>"
            f"<td>{_e(st.correlation_id)}</td>"
            f"<td><pre>{_e(json.dumps(st.output, default=str)[:400])}</pre>"
            f"{_e(st.message)}</td></tr>"
            for st in [*r.steps, *r.expectations]
        )
        rows.append(
            f"<details class='scenario' {'open' if r.outcome != OutcomeEnum.PASSED else ''}>"
            f"<summary><span class='{r.outcome}'>{_e(r.outcome.upper())}</span> "
            f"<b>{_e(r.name)}</b> [{_e(r.tier_label)}] {r.duration_ms:.0f} ms "
            f"{_e(r.message)}</summary>"
            f"<table><tr><th>tools (mode, reason, class)</th><td>{tools or '-'}</td></tr>"
            f"<tr><th>pre-conditions</th><td>{health}</td></tr>"
            f"<tr><th>namespace</th><td>{_e(r.namespace)}</td></tr>"
            + (
                f"<tr><th>metadata</th><td><pre>{_e(json.dumps(r.metadata, default=str))}</pre>"
                "</td></tr>"
                if r.metadata
                else ""
            )
            + "</table>"
            f"<table><tr><th>step</th><th>action</th><th>outcome</th><th>time</th>"
            f"<th>correlation id</th><th>output</th></tr>{steps}</table>"
            + (f"<pre>{_e(r.log_tail)}</pre>" if r.log_tail else "")
            + "</details>"
        )
    diffs = "".join(
        f"<tr><td>{_e(d.get('scenario'))}</td><td>{_e(d.get('where'))}</td>"
        f"<td>{_e(d.get('mock'))}</td><td>{_e(d.get('real'))}</td></tr>"
        for d in differences or []
    )
    payload = json.dumps(data, default=str).replace("</", "<\\/")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>ONEX scenario report</title>"
        f"<style>{_STYLE}</style></head><body><h1>ONEX scenario report</h1>"
        "<div id='summary'>rendering…</div>"
        + ("<p class='error'>interrupted: only what finished is shown</p>" if interrupted else "")
        + "".join(rows)
        + (
            "<h2>Mock versus real</h2><table><tr><th>scenario</th><th>where</th><th>mock</th>"
            f"<th>real</th></tr>{diffs}</table>"
            if differences is not None
            else ""
        )
        + f"<script type='application/json' id='onex-data'>{payload}</script>"
        f"<script>{_SCRIPT}</script></body></html>"
    )


def write_html(
    results: list[ModelScenarioResult],
    path: Path,
    differences: list[dict[str, Any]] | None = None,
    *,
    interrupted: bool = False,
) -> None:
    write_private(path, render_html(results, differences, interrupted=interrupted))
