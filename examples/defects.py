"""The defect catalogue: failures the original report met, each switchable in the examples.

`ONEX_EXAMPLE_DEFECT=<name>` turns one on; this module is the one place that reads it. The
`defects` nox session runs the example suite once per defect in mock and in real mode and prints
which tier caught it.
"""

from __future__ import annotations

import os

DEFECTS: dict[str, str] = {
    "health_check_validation": "health() reports latency as text, not a number",
    "import_error": "the command handler imports a module that does not exist",
    "event_loop_conflict": "an async handler calls asyncio.run() inside the running loop",
    "missing_admin": "list_groups and cleanup are not implemented",
    "lost_correlation_id": "replies and outcomes are published without the request's id",
    "async_sync_mismatch": "a method declared sync returns a coroutine",
    "oversized_message": "the outcome event carries the whole order history (> 1 MiB)",
    "unknown_topic": "outcomes go to a topic nobody created",
    "unserialisable_value": "the outcome holds a value JSON cannot encode",
    "offsets_after_restart": "consumed orders are never committed, so a restart replays them",
    "qty_as_text": "the order's qty is bound as text ('2') to an INTEGER column",
    "note_too_long": "the account's note is longer than its VARCHAR(8) column",
    "connection_leak": "the node opens a PostgreSQL connection of its own and never closes it",
    "no_retry_on_publish_error": "an order is published once; a broker that is down loses it",
    "duplicate_after_restart": "an order delivered again after a broker restart is handled again",
    "no_sql_timeout": "SQL statements have no deadline; a stalled database holds the batch",
    "cache_error_crashes": "a cache that fails (Redis reset) fails the order instead of a fallback",
}
REAL_ONLY_IN_THE_ORIGINAL = frozenset(
    {"oversized_message", "unknown_topic", "unserialisable_value", "offsets_after_restart"}
)
# PostgreSQL refuses these, the old sqlite mock accepted them (sqlite converts '2' to 2 and
# ignores VARCHAR lengths); the mock that reads PostgreSQL catches them in the mock tier.
MISSED_BY_THE_SQLITE_MOCK = frozenset({"qty_as_text", "note_too_long"})
# Every scenario passes with it; only the resource check after the scenario sees the connection
# still open (a failure with `strict_resources: true`, see docs/state.md).
CAUGHT_ONLY_BY_THE_RESOURCE_CHECK = frozenset({"connection_leak"})
# Only a fault scenario (scenarios/faults, real services of a private stack) meets these: no mock
# models a killed, paused or reset server, so the mock tier misses them by design.
FAULT_ONLY = frozenset(
    {
        "no_retry_on_publish_error",
        "duplicate_after_restart",
        "no_sql_timeout",
        "cache_error_crashes",
    }
)
ENV = "ONEX_EXAMPLE_DEFECT"


def active_defect() -> str | None:
    """The defect switched on, or None; an unknown name is an error, not a silent no-op."""
    name = os.environ.get(ENV, "").strip()
    if not name:
        return None
    if name not in DEFECTS:
        raise ValueError(f"{ENV}={name!r} is not a known defect; choose one of {sorted(DEFECTS)}")
    return name


def defect(name: str) -> bool:
    return active_defect() == name
