"""Server settings of a project's own for the stack: any Kafka property, PostgreSQL setting or
Redis directive, on top of the harness's tuned defaults (docs/services.md lists them).

```toml
[tool.onex.servers.kafka]
"auto.create.topics.enable" = true
"num.partitions" = 2
[tool.onex.servers.postgres]
work_mem = "64MB"
[tool.onex.servers.redis]
maxmemory-policy = "allkeys-lru"
```

`ONEX_<KIND>_SERVER_<NAME>=value` sets one too, over the file (`ONEX_KAFKA_SERVER_NUM_PARTITIONS=2`;
how `<NAME>` becomes the server's name is the kind's `ServerSettingsSyntax.name_from_env`).

`ONEX_<KIND>_PROFILE=<name>` (or `profile = "<name>"` in the kind's table) lays a named set of
settings the kind ships under both, e.g. `ONEX_KAFKA_PROFILE=production-like`: the settings of
the tuned test broker that can hide a client's mistakes are put back to Kafka's own defaults.

The manager resolves them once when it starts a stack, keeps them in the stack's directory
(`server-settings.json`, read by the backends on every start and restart of a service) and their
fingerprint in the state file: a stack running with other settings is never silently shared.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from onex_services.catalog import kind_spec, kind_specs
from onex_services.errors import SettingError
from onex_services.kinds.spec import ServerSettingsSyntax
from onex_services.models import ServiceKind
from onex_services.ownership import read_owned, write_private

FILE = "server-settings.json"
PROFILE_KEY = "profile"
DEFAULT_PROFILE = "tuned"  # the harness's own settings, tuned for fast tests
TABLE = "[tool.onex.servers]"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
Settings = dict[ServiceKind, dict[str, str]]


def env_prefix(kind: ServiceKind) -> str:
    return f"ONEX_{kind.upper()}_SERVER_"


def profile_variable(kind: ServiceKind) -> str:
    return f"ONEX_{kind.upper()}_PROFILE"


def _profile(kind: ServiceKind, name: str, where: str) -> Mapping[str, str]:
    profiles = _syntax(kind, where).profiles
    if name == DEFAULT_PROFILE:
        return {}
    if name not in profiles:
        known = ", ".join([DEFAULT_PROFILE, *sorted(profiles)])
        raise SettingError(f"{where}: no {kind} profile {name!r} (known: {known})")
    return profiles[name]


def _syntax(kind: str, where: str) -> ServerSettingsSyntax:
    if kind not in kind_specs():
        known = ", ".join(sorted(kind_specs()))
        raise SettingError(f"{where}: no service kind {kind!r} (known: {known})")
    syntax = kind_spec(kind).server_settings
    if syntax is None:
        raise SettingError(f"{where}: the {kind} kind takes no server settings")
    return syntax


def _text(value: object, where: str) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float | str):
        text = str(value)
    else:
        raise SettingError(f"{where}: expected text, a number or true/false, got {value!r}")
    if any(char in text for char in "\r\n\0"):
        raise SettingError(f"{where}: a value must be one line")
    return text


def _checked_name(name: str, where: str) -> str:
    if not _NAME.fullmatch(name):
        raise SettingError(
            f"{where}: {name!r} is not a setting name (letters, digits, '.', '_', '-')"
        )
    return name


def resolve(
    project: Mapping[str, Mapping[str, object]] | None = None,
    environ: Mapping[str, str] | None = None,
    overlay: Mapping[str, Mapping[str, object]] | None = None,
) -> Settings:
    """The stack's settings per kind: `[tool.onex.servers]` (`project`, default: the current
    project's), then the kinds' own variables of the harness's settings (`ONEX_KAFKA_BROKERS`)
    and the `ONEX_<KIND>_SERVER_*` variables over them, then `overlay` (a scenario's own
    `servers:` for its private stack) over all."""
    env = os.environ if environ is None else environ
    table = _project_table() if project is None else project
    settings: Settings = {}
    for kind in sorted(set(table) | {k for k in kind_specs() if env.get(profile_variable(k))}):
        chosen = env.get(profile_variable(kind)) or table.get(kind, {}).get(PROFILE_KEY)
        if chosen is not None:
            where = (
                profile_variable(kind)
                if env.get(profile_variable(kind))
                else (f"{TABLE}.{kind}.{PROFILE_KEY}")
            )
            settings[kind] = dict(_profile(kind, str(chosen), where))
    for kind, values in table.items():
        _syntax(kind, f"{TABLE}.{kind}")
        for name, value in values.items():
            if name == PROFILE_KEY:
                continue
            where = f"{TABLE}.{kind}.{name}"
            settings.setdefault(kind, {})[_checked_name(name, where)] = _text(value, where)
    for kind, spec in sorted(kind_specs().items()):
        own = spec.server_settings.harness_settings if spec.server_settings else {}
        for name, variable in own.items():
            if env.get(variable, "").strip():
                settings.setdefault(kind, {})[name] = _text(env[variable].strip(), variable)
        prefix = env_prefix(kind)
        for variable in sorted(v for v in env if v.startswith(prefix) and len(v) > len(prefix)):
            syntax = _syntax(kind, variable)
            name = _checked_name(syntax.name_from_env(variable[len(prefix) :]), variable)
            settings.setdefault(kind, {})[name] = _text(env[variable], variable)
    for kind, values in (overlay or {}).items():  # a private stack's own (a scenario's servers:)
        _syntax(kind, f"servers.{kind}")
        for name, value in values.items():
            where = f"servers.{kind}.{name}"
            settings.setdefault(kind, {})[_checked_name(name, where)] = _text(value, where)
    return settings


def _project_table() -> Mapping[str, Mapping[str, object]]:
    from onex_scenario.project_settings import ProjectSettingsError, load_project_settings

    try:
        return load_project_settings().servers
    except ProjectSettingsError as exc:
        raise SettingError(str(exc)) from None


def server_only(kind: ServiceKind, settings: Mapping[str, str]) -> dict[str, str]:
    """`settings` without the harness's own (`ServerSettingsSyntax.harness_settings`)."""
    own = _syntax(kind, kind).harness_settings
    return {name: value for name, value in settings.items() if name not in own}


def fingerprint(settings: Settings) -> str:
    """Equal for equal settings; empty when there are none (a stack of the defaults)."""
    if not any(settings.values()):
        return ""
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def describe(settings: Settings) -> str:
    """`kafka: num.partitions=2; redis: ...`, or `the defaults` (for messages)."""
    parts = [
        f"{kind}: " + ", ".join(f"{name}={value}" for name, value in sorted(values.items()))
        for kind, values in sorted(settings.items())
        if values
    ]
    return "; ".join(parts) or "the defaults"


def write(stack_dir: Path, settings: Settings) -> None:
    write_private(stack_dir / FILE, json.dumps(settings, sort_keys=True, indent=2).encode())


def read(stack_dir: Path) -> Settings:
    """The settings a stack was started with (none for a stack of an older harness)."""
    try:
        data = json.loads(read_owned(stack_dir / FILE))
    except FileNotFoundError:
        return {}
    return {str(kind): {str(k): str(v) for k, v in values.items()} for kind, values in data.items()}


def harness_choice(stack_dir: Path, kind: ServiceKind, name: str, choices: Sequence[str]) -> str:
    """The value of `kind`'s harness setting `name` (`ServerSettingsSyntax.harness_settings`)
    the stack was started with, lower-cased; `choices[0]` (the default) when unset. Any other
    value is a `SettingError` naming the variable that sets it (`ONEX_POSTGRES_SECURITY`)."""
    chosen = read(stack_dir).get(kind, {}).get(name, "").strip().lower() or choices[0]
    if chosen not in choices:
        variable = _syntax(kind, kind).harness_settings.get(name, name)
        raise SettingError(f"{variable}={chosen!r}: expected one of {', '.join(choices)}")
    return chosen


def process_only(
    settings: Mapping[str, str], name: str, variable: str, what: str, choices: Sequence[str]
) -> str | None:
    """A kind's `compose_refusal` for a harness setting `name` that only the process backend
    carries out (`what` it starts, e.g. "a secured broker"): why, when the setting asks for
    more than its default; None when unset or the default (`choices[0]`, as `harness_choice`)."""
    chosen = settings.get(name, "").strip().lower()
    if chosen in ("", choices[0]):
        return None
    return (
        f"{variable}={chosen}: {what} runs in the process backend only;"
        f" use ONEX_SERVICES_BACKEND=process, or unset {variable}"
    )


def compose_overrides(stack: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    """A compose file laid over `stack` (the parsed stack file) that gives each kind's service
    its settings; `$` is doubled so that compose passes values on as written."""
    from onex_services.backends.compose_file import named_services

    services: dict[str, Any] = {}
    for kind, values in sorted(settings.items()):
        if not values:
            continue
        refusal = _syntax(kind, kind).compose_refusal
        reason = refusal(values) if refusal is not None else None
        if reason is not None:
            raise SettingError(f"{kind} in the compose backend: {reason}")
        own = server_only(kind, values)
        if not own:
            continue
        escaped = {name: value.replace("$", "$$") for name, value in own.items()}
        held = stack.get("services", {})
        for name in named_services(held, kind) or [kind]:  # a cluster: every member's service
            service = held.get(name, {})
            services[name] = _syntax(kind, kind).compose_override(service, escaped)
    return {"services": services} if services else {}


def config_block(kind: ServiceKind, settings: Mapping[str, str]) -> str:
    """The lines the process backend appends to the kind's config file (the last one wins in
    server.properties, postgresql.conf and redis.conf alike)."""
    settings = server_only(kind, settings) if settings else settings
    if not settings:
        return ""
    syntax = _syntax(kind, kind)
    lines = [syntax.config_line(name, value) for name, value in sorted(settings.items())]
    return (
        f"\n# The project's own settings ({TABLE}.{kind}, {env_prefix(kind)}*)\n"
        + "\n".join(lines)
        + "\n"
    )
