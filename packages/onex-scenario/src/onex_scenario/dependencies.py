"""Which service of a scenario depends on which: the kinds' own edges plus the scenario's.

A kind declares what it needs (`depends_on` on its spec in `onex.service_kinds`: Kafka Connect
needs Kafka); a scenario adds edges between its services (`external_services.<name>.depends_on`,
naming other services of the same scenario). Read here, where a scenario is validated, so an
unknown target or a cycle is reported with file:line before anything starts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from onex_scenario.vocabulary import KIND_ENTRY_POINTS

if TYPE_CHECKING:
    from onex_scenario.models import ScenarioConfigModel


@functools.cache
def kind_dependencies() -> Mapping[str, tuple[str, ...]]:
    """`depends_on` of every registered kind, by name (kinds without any are left out)."""
    found: dict[str, tuple[str, ...]] = {}
    for entry in entry_points(group=KIND_ENTRY_POINTS):
        needs = tuple(getattr(entry.load(), "depends_on", ()) or ())
        if needs:
            found[entry.name] = needs
    return found


def service_needs(scenario: ScenarioConfigModel) -> dict[str, list[str]]:
    """For each service of `scenario`, the names of the services it depends on: its own
    `depends_on` plus the scenario's services of the kinds its kind depends on."""
    services = scenario.external_services
    needs: dict[str, list[str]] = {}
    for name, config in services.items():
        wanted = list(config.depends_on)
        for kind in kind_dependencies().get(str(config.kind), ()):
            wanted.extend(
                other
                for other, peer in services.items()
                if str(peer.kind) == kind and other != name and other not in wanted
            )
        needs[name] = wanted
    return needs


def app_needs(scenario: ScenarioConfigModel) -> list[str]:
    """The services the app under test depends on: those its command, cwd and environment name
    (`${services.<name>...}`) and those its `depends_on` adds; empty without `app:`."""
    if scenario.app is None:
        return []
    from onex_scenario.app_checks import app_services

    names = app_services(scenario)
    names += [name for name in scenario.app.depends_on if name not in names]
    return names


def find_cycle(needs: Mapping[str, Sequence[str]]) -> list[str] | None:
    """One cycle of the graph as a chain `a, b, ..., a`, or None when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in needs.get(node, ()):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                found = visit(dep)
                if found is not None:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(needs):
        if start not in state:
            cycle = visit(start)
            if cycle is not None:
                return cycle
    return None
