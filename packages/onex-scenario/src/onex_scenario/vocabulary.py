"""The shared vocabulary of service kinds: names, connection fields, `ONEX_*` variables.

A scenario names a service's `kind` as a plain string; what that string may be, which connection
fields mean something for it, which URL schemes it takes and which environment variables override
it is said here, by one `KindVocabulary` per kind. The scenario package stays free of services
code: the vocabularies of the kinds the harness can run come from the `onex.service_kinds`
entry-point group (each entry is a kind spec of onex-services, or of a user's package, with a
`vocabulary` attribute), and two kinds that the harness only describes (`tcp`, `http`) live here.

Kind modules import nothing heavy at module level, so reading the vocabulary stays cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Literal

KIND_ENTRY_POINTS = "onex.service_kinds"
KindName = str
"""A service kind's name, e.g. the entry-point name a kind spec is registered under."""
NamespaceHandle = Literal["url", "prefix", "name"]
"""What a namespace handle of a kind gives (see `KindVocabulary.namespace_handles`)."""


class UnknownKindError(ValueError):
    """A kind name that no registered vocabulary knows; the message lists the known ones."""


@dataclass(frozen=True)
class KindVocabulary:
    """What a scenario, the environment and the runner say about one kind of service.

    `env_fields` maps a variable suffix to a connection field: `ONEX_DB_` + `NAME` → `database`.
    `fields` lists the connection fields when they differ from those the environment sets.
    `client_attribute` names the endpoint's client string for readers (`.dsn`, ...).
    `endpoint_field` is the connection field that holds the one string a client takes (the
    harness's endpoint variable is the prefix plus that field's suffix). `url_schemes`, when not
    empty, are the schemes a `url` field must use; without them the endpoint is `host:port[,...]`.
    `resource_files` are the keys of the scenario's `resources.<kind>` whose values are files (a
    path or a list of paths, relative to the file that names them); `named_resources` are the
    keys there that list named items, each with its noun for messages (a name may appear once).
    `app_fields` are the fields an app under test can be given as `${services.<name>.<field>}`
    (the kind spec's `app_values` fills them in).
    `namespace_handles` are the reader's names a test's namespace (`ScopedNamespace`) gives for
    the kind, each to one of `url` (the client string confined to the namespace), `prefix` (what
    the namespace's names start with) or `name` (a function: a name → that name in the
    namespace), e.g. `{"dsn": "url", "schema": "prefix"}`; a name belongs to one kind only.
    `applies_limits` says that the harness sets the kind's `limits:` on a scenario's own server
    (the kind spec's `apply_limits`); a limit of a kind that does not is refused by name.
    """

    name: KindName
    title: str
    env_prefix: str
    env_fields: Mapping[str, str]
    endpoint_field: str | None = None
    url_schemes: tuple[str, ...] = ()
    endpoint_example: str = ""
    client_attribute: str | None = None
    fields: tuple[str, ...] = ()
    resource_files: tuple[str, ...] = ()
    named_resources: Mapping[str, str] = field(default_factory=dict)
    app_fields: tuple[str, ...] = ("url", "host", "port")
    namespace_handles: Mapping[str, NamespaceHandle] = field(default_factory=dict)
    applies_limits: bool = False
    has_leaders: bool = False
    """Its server can be a cluster whose partitions have leaders, which a service fault can
    target (`leader_of: {topic, partition}`, see onex_scenario.leader_checks)."""

    @property
    def connection_fields(self) -> tuple[str, ...]:
        """`fields` when given, else the fields the environment can set."""
        return self.fields or tuple(self.env_fields.values())

    @property
    def endpoint_env(self) -> str | None:
        """The variable that points the harness at a running service of this kind."""
        for suffix, name in self.env_fields.items():
            if name == self.endpoint_field:
                return self.env_prefix + suffix
        return None


DESCRIBED_ONLY: tuple[KindVocabulary, ...] = (
    KindVocabulary("tcp", "TCP service", "", {}, fields=("host", "port")),
    KindVocabulary(
        "http",
        "HTTP API",
        "ONEX_API_",
        {"URL": "url", "TOKEN": "token"},
        endpoint_field="url",
        url_schemes=("http", "https"),
    ),
)
"""Kinds a scenario may name that the harness does not run (no spec, no probe): fields only."""


@functools.cache
def vocabularies() -> Mapping[KindName, KindVocabulary]:
    """Every known kind's vocabulary by name: the registered kinds (sorted), then described ones."""
    found: dict[KindName, KindVocabulary] = {}
    for entry in sorted(entry_points(group=KIND_ENTRY_POINTS), key=lambda e: e.name):
        vocabulary = getattr(entry.load(), "vocabulary", None)
        if not isinstance(vocabulary, KindVocabulary) or vocabulary.name != entry.name:
            raise UnknownKindError(
                f"entry point {entry.name} = {entry.value} in {KIND_ENTRY_POINTS} has no "
                f"`vocabulary` named {entry.name!r}"
            )
        found[entry.name] = vocabulary
    for described in DESCRIBED_ONLY:
        found.setdefault(described.name, described)
    return found


def vocabulary(kind: KindName) -> KindVocabulary:
    """The vocabulary of `kind`, or `UnknownKindError` listing the known kinds."""
    try:
        return vocabularies()[kind]
    except KeyError:
        raise UnknownKindError(
            f"unknown service kind {kind!r}: expected {known_kinds_text()}"
        ) from None


def known_kinds_text() -> str:
    names = [f"'{name}'" for name in vocabularies()]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def connection_fields(kind: KindName) -> tuple[str, ...]:
    """The connection fields that mean something for `kind`."""
    return vocabulary(kind).connection_fields
