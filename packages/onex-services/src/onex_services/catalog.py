"""The registered service kinds: one `KindSpec` per entry point of `onex.service_kinds`.

Kafka, PostgreSQL and Redis register themselves in onex-services' pyproject.toml like any user's
kind would; this module only loads them (in name order) and reads user input naming them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.metadata import entry_points

from onex_scenario.vocabulary import KIND_ENTRY_POINTS

from onex_services.kinds.spec import KindSpec


class UnknownServiceKindError(ValueError):
    """A kind name no registered spec has; the message lists the known ones."""


@functools.cache
def kind_specs() -> Mapping[str, KindSpec]:
    """Every registered kind's spec, by name, in name order."""
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
    return list(kind_specs())


def kind_spec(kind: str) -> KindSpec:
    try:
        return kind_specs()[kind]
    except KeyError:
        known = ", ".join(kind_specs())
        raise UnknownServiceKindError(
            f"unknown service {kind!r}: expected one of {known}"
        ) from None


def parse_kinds(names: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Kinds from user input ("kafka,redis", a list, or nothing for all), in catalog order.

    Unknown names raise ValueError naming the known ones.
    """
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
