"""Validation of the app under test and of `http` steps, each problem with its key path.

- every `${services.<name>.<field>}`, `${namespace}` and `${app.<field>}` of `app:` names
  something that exists (the service, and a field its kind has);
- a service the app reaches must be real in the scenario as written (a mock has no address);
- those placeholders appear only under `app:` (nowhere else would they be filled in);
- an `http` step needs `app:`, and its expected values are valid matchers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

from onex_scenario.errors import KeyPath
from onex_scenario.matchers import matcher_problems
from onex_scenario.modes import plan_modes
from onex_scenario.placeholders import SERVICES, iter_placeholders, placeholder_problem
from onex_scenario.steps import ModelHttpStep

if TYPE_CHECKING:
    from onex_scenario.models import ScenarioConfigModel

Problem = tuple[KeyPath, str]


def app_problems(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    problems += _app_placeholders(scenario)
    problems += _placeholders_elsewhere(scenario)
    problems += _http_steps(scenario)
    problems += _app_dependencies(scenario)
    return problems


def _app_dependencies(scenario: ScenarioConfigModel) -> list[Problem]:
    """Each `app.depends_on` names a service of the scenario."""
    from onex_scenario.checks import suggestion  # checks imports this module

    if scenario.app is None:
        return []
    services = sorted(scenario.external_services)
    return [
        (("app", "depends_on", index), f"no external service '{name}'{suggestion(name, services)}")
        for index, name in enumerate(scenario.app.depends_on)
        if name not in services
    ]


def app_texts(scenario: ScenarioConfigModel) -> list[tuple[KeyPath, str]]:
    """The values of `app:` that may hold placeholders, with their key paths."""
    app = scenario.app
    if app is None:
        return []
    texts: list[tuple[KeyPath, str]] = [
        (("app", "command", index), part) for index, part in enumerate(app.command)
    ]
    texts += [(("app", "env", name), value) for name, value in app.env.items()]
    if app.cwd is not None:
        texts.append((("app", "cwd"), app.cwd))
    return texts


def app_services(scenario: ScenarioConfigModel) -> list[str]:
    """The external services the app's command and environment name, sorted."""
    names = {
        placeholder.parts[1]
        for _, text in app_texts(scenario)
        for placeholder in iter_placeholders(text)
        if placeholder.parts[0] == SERVICES and len(placeholder.parts) > 1
    }
    return sorted(names)


def _app_placeholders(scenario: ScenarioConfigModel) -> list[Problem]:
    kinds = {name: str(s.kind) for name, s in scenario.external_services.items()}
    problems: list[Problem] = []
    for path, text in app_texts(scenario):
        for placeholder in iter_placeholders(text):
            problem = placeholder_problem(placeholder, kinds)
            if problem is not None:
                problems.append((path, problem))
    if not scenario.app or not app_services(scenario):
        return problems
    modes = plan_modes(scenario).services
    for path, text in app_texts(scenario):
        for placeholder in iter_placeholders(text):
            name = placeholder.parts[1] if placeholder.parts[0] == SERVICES else ""
            if name in modes and modes[name].declared.value == "mock":
                problems.append(
                    (
                        path,
                        f"{placeholder.text}: the app connects to {name} itself, so {name} must "
                        "be real (it is a mock here; a mock has no address)",
                    )
                )
    return problems


def _placeholders_elsewhere(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    for position, items in (("steps", scenario.steps), ("expect", scenario.expect)):
        for index, item in enumerate(items):
            # Serialising in pydantic-core is far cheaper than dumping to Python and walking it.
            if b"${" not in to_json(item):
                continue
            dumped = item.model_dump(mode="json", by_alias=True, exclude_defaults=True)
            for path, text in _strings(dumped, (position, index)):
                for placeholder in iter_placeholders(text):
                    problems.append(
                        (
                            path,
                            f"{placeholder.text}: run-time placeholders are filled in only "
                            "under app: (command, env, cwd)",
                        )
                    )
    return problems


def _strings(value: Any, path: KeyPath) -> list[tuple[KeyPath, str]]:
    if isinstance(value, str):
        return [(path, value)] if "${" in value else []
    found: list[tuple[KeyPath, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _strings(item, (*path, index))
    return found


def _http_steps(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    for index, step in enumerate(scenario.steps):
        if not isinstance(step, ModelHttpStep):
            continue
        where: KeyPath = ("steps", index, "http")
        if scenario.app is None:
            problems.append((where, "an http step needs `app:` (the app under test to call)"))
        expect = step.http.expect
        for field, alias in (("status", "status"), ("body", "json"), ("text", "text")):
            value = getattr(expect, field)
            if value is not None:
                problems += matcher_problems(value, (*where, "expect", alias))
        for name, value in (expect.headers or {}).items():
            problems += matcher_problems(value, (*where, "expect", "headers", name))
    return problems
