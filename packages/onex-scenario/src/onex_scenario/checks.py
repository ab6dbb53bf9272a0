"""Rules that span several fields of a scenario, each reported with the key path it is about.

They run after every field validated, from `ScenarioConfigModel`'s model validator, so a model
built in code obeys them as well as one loaded from YAML.
"""

from __future__ import annotations

import difflib
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel
from pydantic_core import to_json

from onex_scenario.app_checks import app_problems
from onex_scenario.compare_paths import compare_path_problems
from onex_scenario.dependencies import find_cycle, service_needs
from onex_scenario.errors import KeyPath
from onex_scenario.fault_checks import fault_problems
from onex_scenario.leader_checks import leader_problems
from onex_scenario.matchers import matcher_problems
from onex_scenario.matching import type_description_problems
from onex_scenario.models import (
    DEFAULT_PROFILE,
    DependencyModeEnum,
    ScenarioConfigModel,
    TierEnum,
)
from onex_scenario.modes import plan_modes
from onex_scenario.network_faults import network_fault_problems
from onex_scenario.references import iter_references
from onex_scenario.steps import (
    MatchModeEnum,
    ModelCallStep,
    ModelExpectOutput,
    ModelExtensionStep,
    ModelFaultStep,
    expectation_kind,
    step_action,
)
from onex_scenario.vocabulary import vocabularies, vocabulary

Problem = tuple[KeyPath, str]


def scenario_problems(scenario: ScenarioConfigModel) -> list[Problem]:
    """Every cross-field problem of `scenario`; empty when it is consistent."""
    problems: list[Problem] = []
    problems += _step_ids(scenario)
    problems += _references(scenario)
    problems += _calls_and_outputs(scenario)
    problems += _service_names(scenario)
    problems += _dependencies(scenario)
    problems += _connections(scenario)
    problems += _tier(scenario)
    problems += _named_resources(scenario)
    problems += _expected_values(scenario)
    problems += app_problems(scenario)
    problems += network_fault_problems(scenario)
    problems += fault_problems(scenario)
    problems += leader_problems(scenario)
    problems += [
        (("compare_ignore", index), message)
        for index, message in compare_path_problems(
            scenario.compare_ignore, (step.id for step in scenario.steps)
        )
    ]
    return problems


def suggestion(word: str, choices: list[str]) -> str:
    """ "; did you mean 'x'?" for the nearest choice, or "" when none is close."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _step_ids(scenario: ScenarioConfigModel) -> list[Problem]:
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for index, step in enumerate(scenario.steps):
        if step.id in seen:
            problems.append(
                (
                    ("steps", index, "id"),
                    f"duplicate step id '{step.id}' (already used by steps[{seen[step.id]}])",
                )
            )
        else:
            seen[step.id] = index
    return problems


_SCALARS = (int, float, StrEnum)
_SEQUENCES = (list, tuple)


def _templates(value: object, path: KeyPath, out: list[tuple[KeyPath, str]]) -> None:
    """Collect the strings inside `value` that contain "${", with their key paths (aliases)."""
    if isinstance(value, str):
        if "${" in value:
            out.append((path, value))
    elif isinstance(value, BaseModel):
        aliases = _aliases(type(value))
        for name, item in value.__dict__.items():
            if item is not None and not isinstance(item, _SCALARS):
                _templates(item, (*path, aliases.get(name, name)), out)
    elif isinstance(value, dict):
        for key, item in value.items():
            if item is not None and not isinstance(item, _SCALARS):
                _templates(item, (*path, key), out)
    elif isinstance(value, _SEQUENCES):
        for index, item in enumerate(value):
            _templates(item, (*path, index), out)


_ALIASES: dict[type[BaseModel], dict[str, str]] = {}


def _aliases(model: type[BaseModel]) -> dict[str, str]:
    found = _ALIASES.get(model)
    if found is None:
        found = {name: f.alias for name, f in model.model_fields.items() if f.alias}
        _ALIASES[model] = found
    return found


def _references(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    all_ids = [step.id for step in scenario.steps]
    for position, items in (("steps", scenario.steps), ("expect", scenario.expect)):
        for index, item in enumerate(items):
            # Serialising in pydantic-core is far cheaper than walking the fields in Python.
            if b"${" not in to_json(item):
                continue
            found: list[tuple[KeyPath, str]] = []
            _templates(item, (position, index), found)
            own = index if position == "steps" else None
            allowed = all_ids[:index] if own is not None else all_ids
            for path, text in found:
                problems += _reference_problems(path, text, allowed, all_ids, own)
    return problems


def _reference_problems(
    path: KeyPath, text: str, allowed: list[str], all_ids: list[str], position: int | None
) -> list[Problem]:
    if "${" not in text:
        return []
    try:
        references = list(iter_references(text))
    except ValueError as exc:
        return [(path, str(exc))]
    problems: list[Problem] = []
    for reference in references:
        if reference.step in allowed:
            continue
        if reference.step not in all_ids:
            message = f"{reference.text} names no step{suggestion(reference.step, all_ids)}"
        elif position is not None and reference.step == all_ids[position]:
            message = f"{reference.text}: a step cannot use its own outputs"
        else:
            where = all_ids.index(reference.step)
            message = (
                f"{reference.text}: step '{reference.step}' (steps[{where}]) runs after this "
                "one; a step can only use outputs of earlier steps"
            )
        problems.append((path, message))
    return problems


def _calls_and_outputs(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    # A package's step action returns what its handler makes of it, so it has an output too.
    calls = {
        step.id for step in scenario.steps if isinstance(step, ModelCallStep | ModelExtensionStep)
    }
    if scenario.node is None:
        problems += [
            (("steps", index, "call"), "a call step needs `node` (the node under test) to be set")
            for index, step in enumerate(scenario.steps)
            if isinstance(step, ModelCallStep)
        ]
    for index, expectation in enumerate(scenario.expect):
        if isinstance(expectation, ModelExpectOutput) and expectation.output.step not in calls:
            step = expectation.output.step
            actions = {s.id: step_action(s) for s in scenario.steps}
            if step in actions:
                message = (
                    f"step '{step}' is a {actions[step]} step; "
                    "only call steps (and packages' own actions) have an output"
                )
            else:
                message = f"no call step '{step}'{suggestion(step, sorted(calls))}"
            problems.append((("expect", index, "output", "step"), message))
    return problems


def _service_names(scenario: ScenarioConfigModel) -> list[Problem]:
    services = sorted(scenario.external_services)
    problems: list[Problem] = []
    for name in scenario.timeout_profiles:
        if name != DEFAULT_PROFILE and name not in scenario.external_services:
            choices = [*services, DEFAULT_PROFILE]
            problems.append(
                (
                    ("timeout_profiles", name),
                    f"no external service '{name}' (profiles are for: {', '.join(choices)})"
                    + suggestion(name, choices),
                )
            )
    for index, step in enumerate(scenario.steps):
        if isinstance(step, ModelFaultStep) and step.fault.target not in scenario.external_services:
            target = step.fault.target
            problems.append(
                (
                    ("steps", index, "fault", "target"),
                    f"no external service '{target}'{suggestion(target, services)}",
                )
            )
    return problems


def _dependencies(scenario: ScenarioConfigModel) -> list[Problem]:
    """A `depends_on` naming no service of the scenario, or edges that form a cycle."""
    services = sorted(scenario.external_services)
    problems: list[Problem] = []
    for name, config in scenario.external_services.items():
        for index, target in enumerate(config.depends_on):
            where: KeyPath = ("external_services", name, "depends_on", index)
            if target == name:
                problems.append((where, f"'{name}' cannot depend on itself"))
            elif target not in scenario.external_services:
                others = [s for s in services if s != name]
                problems.append(
                    (where, f"no external service '{target}'{suggestion(target, others)}")
                )
    if problems:
        return problems
    cycle = find_cycle(service_needs(scenario))
    if cycle is None:
        return problems
    ring = cycle[:-1]
    # Point at a `depends_on` entry the scenario wrote (a kind's own edge has no line).
    for start, name in enumerate(ring):
        successor = ring[(start + 1) % len(ring)]
        declared = scenario.external_services[name].depends_on
        if successor in declared:
            chain = [*ring[start:], *ring[:start], name]
            where = ("external_services", name, "depends_on", declared.index(successor))
            problems.append((where, "dependency cycle: " + " -> ".join(chain)))
            break
    return problems


def connection_problems(kind: str, values: dict[str, object]) -> list[tuple[str, str]]:
    """(field, message) for connection settings that do not fit a service `kind`."""
    words = vocabulary(kind)
    allowed = words.connection_fields
    problems: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None:
            continue
        if name not in allowed:
            problems.append(
                (name, f"does not apply to a {kind} service (valid: {', '.join(allowed)})")
            )
        elif name == "url" and isinstance(value, str) and words.url_schemes:
            schemes = words.url_schemes
            parts = urlsplit(value)
            if parts.scheme not in schemes or not parts.netloc:
                problems.append(
                    (
                        name,
                        f"expected a {' or '.join(s + '://' for s in schemes)} URL, got {value!r}",
                    )
                )
    return problems


def _connections(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    for name, service in scenario.external_services.items():
        given = service.connection.model_fields_set
        if not given:
            continue
        values = {key: getattr(service.connection, key) for key in given}
        for field, message in connection_problems(service.kind, values):
            problems.append((("external_services", name, "connection", field), message))
    return problems


def _tier(scenario: ScenarioConfigModel) -> list[Problem]:
    # The declared plan (no force): a file is checked for what it says, not how a run forces it.
    modes = {name: s.declared for name, s in plan_modes(scenario).services.items()}
    real = sorted(name for name, mode in modes.items() if mode is DependencyModeEnum.REAL)
    mock = sorted(name for name, mode in modes.items() if mode is DependencyModeEnum.MOCK)
    tier = scenario.tier
    if tier is TierEnum.UNIT and real:
        return [
            (
                _mode_path(scenario, name),
                f"a unit scenario runs without services, but '{name}' is real; "
                "make it mock or move the scenario to the integration or mixed tier",
            )
            for name in real
        ]
    if tier in (TierEnum.INTEGRATION, TierEnum.E2E):
        if not real:
            return [
                (
                    ("tier",),
                    f"an {tier.value} scenario needs at least one external service in real mode",
                )
            ]
        return [
            (
                _mode_path(scenario, name),
                f"'{name}' is a mock in an {tier.value} scenario; make it real or use tier mixed",
            )
            for name in mock
        ]
    if tier is TierEnum.MIXED and not (real and mock):
        return [
            (
                ("tier",),
                "a mixed scenario needs at least one real and one mock external service "
                f"(real: {', '.join(real) or 'none'}; mock: {', '.join(mock) or 'none'})",
            )
        ]
    return []


def _mode_path(scenario: ScenarioConfigModel, service: str) -> KeyPath:
    if scenario.external_services[service].dependency_mode is not None:
        return ("external_services", service, "dependency_mode")
    return ("dependency_mode",)


def _named_resources(scenario: ScenarioConfigModel) -> list[Problem]:
    """Each named resource (a topic...) once per list: the kinds' vocabularies say which."""
    problems: list[Problem] = []
    known = vocabularies()
    for kind in type(scenario.resources).model_fields:
        vocabulary = known.get(kind)
        section = getattr(scenario.resources, kind)
        for key, noun in vocabulary.named_resources.items() if vocabulary else ():
            seen: set[str] = set()
            for index, item in enumerate(getattr(section, key)):
                if item.name in seen:
                    problems.append(
                        (
                            ("resources", kind, key, index, "name"),
                            f"{noun} '{item.name}' is listed twice",
                        )
                    )
                seen.add(item.name)
    return problems


def _expected_values(scenario: ScenarioConfigModel) -> list[Problem]:
    problems: list[Problem] = []
    for index, step in enumerate(scenario.steps):
        problems += _described(step, step_action(step), ("steps", index))
    for index, expectation in enumerate(scenario.expect):
        problems += _described(expectation, expectation_kind(expectation), ("expect", index))
    return problems


def _described(container: BaseModel, name: str, path: KeyPath) -> list[Problem]:
    """Problems of the expected values of one step or expectation: matchers in every mode,
    type descriptions under `match: type`."""
    problems: list[Problem] = []
    spec = getattr(container, name)
    if not isinstance(spec, BaseModel):
        return problems
    typed = getattr(spec, "match", None) is MatchModeEnum.TYPE
    for field in ("value", "equals", "ttl"):
        if field not in type(spec).model_fields or getattr(spec, field) is None:
            continue
        expected = getattr(spec, field)
        problems += matcher_problems(expected, (*path, name, field))
        if typed:
            for message in type_description_problems(expected):
                problems.append(((*path, name, field), message))
    return problems
