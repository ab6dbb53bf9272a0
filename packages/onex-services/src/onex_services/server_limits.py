"""Resource limits of a private stack's servers (a scenario's `limits:`), applied once it runs.

Each kind sets its own section of `limits:` (`KindSpec.apply_limits`, e.g. Redis's `CONFIG SET
maxmemory`, PostgreSQL's `max_connections` and a restart) and undoes what would outlive the
scenario (`KindSpec.remove_limits`); a kind without the hook has its limits refused by the
scenario checks (`KindVocabulary.applies_limits`).

Only ever called on a scenario's own stack (`isolation: private`): a limit on a shared server
would change it for everyone.
"""

from __future__ import annotations

from onex_scenario.faults import ModelLimits

from onex_services.catalog import kind_spec
from onex_services.kinds.spec import LimitsTarget
from onex_services.manager import ToolServiceManager
from onex_services.service_faults import ServiceFaults


async def apply_limits(
    manager: ToolServiceManager, limits: ModelLimits, client_id: str = ""
) -> dict[str, object]:
    """Apply `limits` to the servers of `manager`'s stack; what was set, by kind. `client_id`
    is the scenario's (its namespace), for limits set per client."""
    target = LimitsTarget(ServiceFaults(manager), client_id)
    applied: dict[str, object] = {}
    for kind in limits.kinds():
        apply = kind_spec(kind).apply_limits
        if apply is None:  # refused by the scenario checks before any run
            continue
        found = await apply(target, getattr(limits, kind))
        if found is not None:
            applied[kind] = found
    return applied


async def remove_limits(
    manager: ToolServiceManager, limits: ModelLimits, client_id: str = ""
) -> dict[str, object]:
    """Undo the limits that outlive the scenario on a running server; what is left, by kind."""
    target = LimitsTarget(ServiceFaults(manager), client_id)
    left: dict[str, object] = {}
    for kind in limits.kinds():
        remove = kind_spec(kind).remove_limits
        if remove is None:  # the limit ends with the private stack
            continue
        found = await remove(target, getattr(limits, kind))
        if found is not None:
            left[kind] = found
    return left
