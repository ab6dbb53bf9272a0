"""The `http` step: one request to the app under test, checked against `expect`.

A black-box step: the app needs no harness code, it only answers HTTP. Status, headers and
body are compared with the same matching as every other expectation (`onex_scenario.matching`:
match modes and matchers such as `{$between: [200, 299]}` or `{$regex: ...}`).
"""

from __future__ import annotations

import json
from typing import Any

from onex_registry import OnexToolError
from onex_scenario import Mismatch, ModelHttpSpec, match_value

from onex_runner.http_client import HttpResponse, request
from onex_runner.step_api import StepContext, StepFailure, StepHandler, StepOutcome


class HttpStep(StepHandler[ModelHttpSpec]):
    action = "http"
    model = ModelHttpSpec

    async def run(self, spec: ModelHttpSpec, ctx: StepContext) -> StepOutcome:
        app = ctx.app
        if app is None:
            raise OnexToolError("an http step needs `app:` in the scenario (no app runs)")
        headers = dict(spec.headers)
        body: bytes | None = None
        if spec.body_given:
            body = json.dumps(spec.body).encode()
            if not any(name.lower() == "content-type" for name in headers):
                headers["Content-Type"] = "application/json"
        headers.setdefault("X-Correlation-Id", ctx.correlation_id)
        timeout = ctx.timeout("default", "step", None)
        try:
            answer = await request(
                app.base_url, spec.method, spec.path, body=body, headers=headers, timeout_s=timeout
            )
        except OSError as exc:
            raise StepFailure(
                f"{spec.method} {app.base_url}{spec.path}: no answer ({type(exc).__name__}: {exc})"
            ) from None
        output = {"status": answer.status, "headers": answer.headers, "json": answer.json}
        problems = _mismatches(spec, answer)
        if problems:
            shown = "; ".join(str(problem) for problem in problems[:5])
            raise StepFailure(f"{spec.method} {spec.path}: {shown}", actual=output)
        return StepOutcome(
            output=output,
            correlation_id=ctx.correlation_id,
            fields={**output, "text": answer.text},
        )


def _mismatches(spec: ModelHttpSpec, answer: HttpResponse) -> list[Any]:
    expect = spec.expect
    found: list[Mismatch | str] = []
    if expect.status is not None:
        found += _prefixed("status", match_value(expect.status, answer.status, "exact"))
    for name, wanted in (expect.headers or {}).items():
        key = name.lower()
        if key not in answer.headers:
            found.append(f"header {name}: missing (present: {', '.join(sorted(answer.headers))})")
            continue
        found += _prefixed(f"header {name}", match_value(wanted, answer.headers[key], "exact"))
    if expect.body_given:
        if not answer.is_json:
            found.append(f"json: the body is not JSON: {answer.text[:200]!r}")
        else:
            found += _prefixed("json", match_value(expect.body, answer.json, expect.match))
    if expect.text is not None:
        found += _prefixed("text", match_value(expect.text, answer.text, "exact"))
    return found


def _prefixed(what: str, mismatches: list[Mismatch]) -> list[Mismatch | str]:
    return [f"{what}: {mismatch}" for mismatch in mismatches]
