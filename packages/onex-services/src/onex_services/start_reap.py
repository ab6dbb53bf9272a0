"""Reaping by age at every start against servers the harness did not start (an external
cluster shared by CI machines): what `onex services reap --older-than` does (`shared_reap`),
once per process and set of servers, before the first lease on them is handed out.

`ONEX_REAP_OLDER_THAN` sets the age (`90m`, `2h`, `1d`; default `DEFAULT_AGE`); `off` (or `0`)
turns it off. The rules are `shared_reap`'s: only namespaces named like the harness's and
carrying its marker, never one whose run holds a claim here or whose marker's lease holds (a live
run renews it, see `mark_keeper`), and only those created longer ago than the age.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

from onex_services.claims import NamespaceClaims, target_of
from onex_services.errors import SettingError
from onex_services.models import ServiceEndpoint, ServiceKind
from onex_services.shared_reap import parse_duration, reap_marked

AGE_ENV = "ONEX_REAP_OLDER_THAN"
DEFAULT_AGE = "2h"
_OFF = {"off", "0", "no", "false", "never"}
_done: set[tuple[str, ...]] = set()
_done_lock = threading.Lock()


def reap_age_s() -> float | None:
    """The age from `ONEX_REAP_OLDER_THAN` in seconds; None when reaping at start is off."""
    raw = os.environ.get(AGE_ENV, "").strip() or DEFAULT_AGE
    if raw.lower() in _OFF:
        return None
    try:
        return parse_duration(raw)
    except ValueError as exc:
        raise SettingError(f"{AGE_ENV}={raw!r}: {exc}, or off") from None


async def reap_at_start(
    claims: NamespaceClaims, endpoints: Mapping[ServiceKind, ServiceEndpoint]
) -> list[str]:
    """Reap by age on `endpoints`, the first time this process (and state dir) meets them;
    only the lines of namespaces removed (the others are left without a word)."""
    age = reap_age_s()
    if age is None or not endpoints:
        return []
    key = (str(claims.directory), *sorted(f"{k}={target_of(e)}" for k, e in endpoints.items()))
    with _done_lock:
        if key in _done:
            return []
        _done.add(key)
    lines = await reap_marked(endpoints, claims, age)
    return [line for line in lines if not line.startswith("left ")]
