"""The correlation id of the step being run, for nodes and log records to read."""

from __future__ import annotations

from contextvars import ContextVar

current_correlation_id: ContextVar[str | None] = ContextVar("onex_correlation_id", default=None)
current_namespace: ContextVar[str | None] = ContextVar("onex_namespace", default=None)
