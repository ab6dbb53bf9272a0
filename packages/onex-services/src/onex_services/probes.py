"""What every deep probe shares: each proves the service is usable, not just that its port is
open. The probes themselves live with their kinds (`KindSpec.make_probe`).

A probe keeps its connections between rounds (a health round on a warm probe is a few
milliseconds) and drops them on any failure, so the next attempt starts clean and a server that
went away is never hidden behind an old connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from onex_services.catalog import kind_spec
from onex_services.kinds.spec import Probe

HEALTH_PREFIX = "onex-health"
log = logging.getLogger(__name__)

__all__ = ["HEALTH_PREFIX", "Probe", "ProbeError", "ReusingProbe", "make_probe", "quietly"]


class ProbeError(Exception):
    """The service answered but did not do what was asked; the message says which step."""


def make_probe(kind: str, url: str, dependencies: Mapping[str, str] | None = None) -> Probe:
    """The kind's probe of the server at `url`; `dependencies` are the client strings of the
    kinds it depends on, by kind (for a probe that looks at its result there)."""
    spec = kind_spec(kind)
    if spec.make_dependent_probe is not None:
        return spec.make_dependent_probe(url, dependencies or {})
    return spec.make_probe(url)


class ReusingProbe:
    """A probe that keeps its clients between rounds (a health round stays cheap) and drops
    them after a failed one, so the next round starts from a fresh connection."""

    async def run(self, timeout_s: float) -> None:
        try:
            await asyncio.wait_for(self._round(timeout_s), timeout_s)
        except BaseException:
            await self.close()
            raise

    async def _round(self, timeout_s: float) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


async def quietly(awaitable: Any, client_errors: tuple[type[BaseException], ...] = ()) -> None:
    """Close a client that may already be broken: the failure that broke it was reported.
    `client_errors` are the client library's own error types, besides the OS's."""
    errors: tuple[type[BaseException], ...] = (OSError, TimeoutError, RuntimeError, *client_errors)
    try:
        await awaitable
    except errors as exc:
        log.debug("closing a probe client failed: %s", exc)
