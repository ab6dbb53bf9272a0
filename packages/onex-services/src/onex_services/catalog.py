"""The registered service kinds: one `KindSpec` per entry point of `onex.service_kinds`.

Kafka, PostgreSQL and Redis register themselves in onex-services' pyproject.toml like any user's
kind would; this module only loads them (in name order) and reads user input naming them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from onex_scenario.vocabulary import KIND_ENTRY_POINTS

from onex_services.graph import ServiceGraph

if TYPE_CHECKING:
    from onex_services.kinds.spec import KindSpec
    from onex_services.models import ServiceEndpoint


class UnknownServiceKindError(ValueError):
    """A kind name no registered spec has; the message lists the known ones."""


@functools.cache
def kind_names() -> tuple[str, ...]:
    """The registered kinds' names, in name order, without loading their specs: the pytest
    plugin registers a fixture and a marker per kind at every start, and loading a spec imports
    its kind's module."""
    return tuple(sorted({entry.name for entry in entry_points(group=KIND_ENTRY_POINTS)}))


CLIENT_FIXTURE_ENTRY_POINTS = "onex.kind_fixtures"


@functools.cache
def client_fixtures() -> Mapping[str, EntryPoint]:
    """Each kind's client fixture (`kafka_topic`, ...) by fixture name: the entry's attribute,
    read without loading it; the entry's name is the kind whose real server the fixture uses,
    and it loads to a builder `(client string, namespace) -> value` (see `client_fixtures`)."""
    found: dict[str, EntryPoint] = {}
    for entry in sorted(entry_points(group=CLIENT_FIXTURE_ENTRY_POINTS), key=lambda e: e.name):
        if entry.name not in kind_names():
            raise UnknownServiceKindError(
                f"entry point {entry.name} = {entry.value} in {CLIENT_FIXTURE_ENTRY_POINTS} "
                f"names no kind of {KIND_ENTRY_POINTS} (known: {', '.join(kind_names())})"
            )
        found[entry.attr] = entry
    return found


def fixture_name(kind: str) -> str:
    """The session fixture giving a real server of `kind` (an endpoint)."""
    return f"real_{kind}"


def marker_name(kind: str) -> str:
    """The pytest marker of a test that needs a real server of `kind`."""
    return f"requires_{kind}"


@functools.cache
def kind_specs() -> Mapping[str, KindSpec]:
    """Every registered kind's spec, by name, in name order."""
    from onex_services.kinds.spec import KindSpec

    found: dict[str, KindSpec] = {}
    for entry in sorted(entry_points(group=KIND_ENTRY_POINTS), key=lambda e: e.name):
        spec = entry.load()
        if not isinstance(spec, KindSpec) or spec.name != entry.name:
            raise UnknownServiceKindError(
                f"entry point {entry.name} = {entry.value} in {KIND_ENTRY_POINTS} is not a "
                f"KindSpec named {entry.name!r}"
            )
        found[entry.name] = spec
    return found


def all_kinds() -> list[str]:
    """The kinds of a default stack: every registered one except those started on demand only
    (`KindSpec.on_demand`, e.g. Kafka Connect: a JVM that only some tests need)."""
    return [name for name, spec in kind_specs().items() if not spec.on_demand]


def kind_graph(extra: Mapping[str, Iterable[str]] | None = None) -> ServiceGraph:
    """The dependency graph of the registered kinds (`KindSpec.depends_on`), plus `extra` edges
    (a scenario's); raises `graph.DependencyError` for a cycle or an unknown kind."""
    return ServiceGraph.build({name: spec.depends_on for name, spec in kind_specs().items()}, extra)


def kind_spec(kind: str) -> KindSpec:
    try:
        return kind_specs()[kind]
    except KeyError:
        known = ", ".join(kind_specs())
        raise UnknownServiceKindError(
            f"unknown service {kind!r}: expected one of {known}"
        ) from None


def dependency_urls(kind: str, stack: Mapping[str, ServiceEndpoint]) -> dict[str, str]:
    """The client strings of what `kind` depends on, from the servers of `stack`."""
    return {dep: stack[dep].url for dep in kind_spec(kind).depends_on if dep in stack}


def parse_kinds(names: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Kinds from user input ("kafka,redis", a list, or nothing for the default stack) with
    everything they depend on, in start order (dependencies first, then catalog order).

    Unknown names raise ValueError naming the known ones.
    """
    return kind_graph().closure(_named_kinds(names))


def _named_kinds(names: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if names is None:
        return all_kinds()
    items = names.split(",") if isinstance(names, str) else list(names)
    wanted: set[str] = set()
    for raw in items:
        name = raw.strip().lower()
        if not name:
            continue
        if name == "all":
            return all_kinds()
        kind_spec(name)
        wanted.add(name)
    return [kind for kind in kind_specs() if kind in wanted] or all_kinds()
