"""Reaping by age on shared servers: `onex services reap --older-than 2h`.

Reads every namespace marker (`server_marks`) on the servers given, and drops a namespace only
when all of these hold:
- its name is a harness namespace (`onex_…`, see `namespaces`) and it carries the marker
  (nothing unmarked is ever listed, let alone dropped);
- no claim of this machine's state dir holds it for a run that may still live (`claims`);
- its marker's lease has run out (`NamespaceMark.lease_held`), i.e. its run stopped renewing;
- it was created longer ago than the limit.
The drop goes through the kind's namespace admin (`namespace_pool.admin_for`), so no kind is
named here. Every namespace seen gets one line: removed, or left and why.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping

from onex_services.catalog import kind_spec
from onex_services.claims import NamespaceClaims
from onex_services.kinds.spec import NamespaceMarks
from onex_services.models import ServiceEndpoint, ServiceKind
from onex_services.namespace_pool import admin_for
from onex_services.namespaces import NAMESPACE_RE
from onex_services.server_marks import NamespaceMark, parse_mark

SERVER_TIMEOUT_S = 30.0
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION_RE = re.compile(r"^(?:(\d+(?:\.\d+)?)([smhd]))+$")
_PART_RE = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


def parse_duration(text: str) -> float:
    """`90s`, `30m`, `2h`, `1d`, `1h30m` → seconds; ValueError saying what was expected."""
    cleaned = text.strip().lower()
    if not _DURATION_RE.fullmatch(cleaned):
        raise ValueError(
            f"{text!r} is not a duration: expected a number and a unit s, m, h or d, "
            "e.g. 90s, 30m, 2h, 1h30m"
        )
    return sum(float(n) * _UNITS[unit] for n, unit in _PART_RE.findall(cleaned))


def _ago(seconds: float) -> str:
    return f"{seconds / 3600:.1f}h" if seconds >= 3600 else f"{seconds / 60:.0f}m"


def _verdict(
    namespace: str, mark: NamespaceMark, live_claims: set[str], older_than_s: float, now: float
) -> str | None:
    """Why the namespace stays (None: it goes)."""
    if namespace in live_claims:
        return "its run holds a claim on this machine"
    if mark.lease_held(now):
        return f"its run's lease holds (renewed {_ago(now - mark.renewed_at)} ago)"
    if now - mark.created_at < older_than_s:
        return f"created {_ago(now - mark.created_at)} ago, younger than {_ago(older_than_s)}"
    return None


async def reap_marked(
    endpoints: Mapping[ServiceKind, ServiceEndpoint],
    claims: NamespaceClaims,
    older_than_s: float,
    *,
    now: float | None = None,
) -> list[str]:
    """Drop the marked namespaces of dead runs older than `older_than_s` on `endpoints`."""
    at = time.time() if now is None else now
    live_claims = {claim.namespace for claim in claims.all()[0] if not claim.run_is_gone(at)}
    lines: list[str] = []
    for kind, endpoint in sorted(endpoints.items()):
        factory = kind_spec(kind).namespace_marks
        if factory is None:
            continue
        try:
            lines.extend(
                await asyncio.wait_for(
                    _reap_on(
                        kind, endpoint.url, factory(endpoint.url), live_claims, older_than_s, at
                    ),
                    SERVER_TIMEOUT_S,
                )
            )
        except Exception as exc:  # noqa: BLE001 - one server's failure must not hide the others
            lines.append(f"{kind}: could not reap by age: {type(exc).__name__}: {exc}")
    for line in lines:
        if line.startswith("removed namespace "):
            claims.release(line.split()[2])
    return lines


async def _reap_on(
    kind: ServiceKind,
    url: str,
    marks: NamespaceMarks,
    live_claims: set[str],
    older_than_s: float,
    now: float,
) -> list[str]:
    lines: list[str] = []
    try:
        found = await marks.read_all()
    finally:
        await marks.close()
    doomed: list[str] = []
    for namespace, text in sorted(found.items()):
        mark = parse_mark(text)
        if mark is None or not (
            NAMESPACE_RE.fullmatch(namespace) and namespace.startswith("onex_")
        ):
            lines.append(f"left {kind} {namespace}: not a harness namespace with its marker")
            continue
        reason = _verdict(namespace, mark, live_claims, older_than_s, now)
        if reason is None:
            doomed.append(namespace)
            lines.append(
                f"removed namespace {namespace} on {kind} (run {mark.run_id} on {mark.host}, "
                f"created {_ago(now - mark.created_at)} ago, lease expired)"
            )
        else:
            lines.append(f"left namespace {namespace} on {kind} (run {mark.run_id}): {reason}")
    if doomed:
        admin = admin_for(kind, url)
        try:
            await admin.drop(doomed)
        finally:
            await admin.close()
    return lines
