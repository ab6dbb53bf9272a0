"""Namespace markers on the servers themselves: which run made a namespace, and when.

The claims of `claims` live in one machine's state dir; a CI machine that crashed takes them
with it, and another machine sharing the cluster cannot tell its namespaces from a live run's.
So each namespace also carries a marker where every machine can read it, written by the kind
that owns the server (`KindSpec.namespace_marks`: a schema comment, a key, a topic; see
docs/scale.md):

    {"onex_mark": "namespace/1", "run_id": ..., "host": ..., "created_at": ...,
     "renewed_at": ..., "lease_s": ...}

The lease rule: a marked run is live while `now < renewed_at + lease_s`. `lease_s` is
`ONEX_NAMESPACE_LEASE_S` when set above 0, else `DEFAULT_MARK_LEASE_S`; a run that holds a
namespace longer than that must write its marker again (`mark_namespace` renews it, keeping the
creation time). `shared_reap` also treats a namespace as live while this machine holds a claim
on it whose run is not provably gone.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, ValidationError

from onex_services.catalog import kind_spec
from onex_services.kinds.spec import NamespaceMarks
from onex_services.models import ServiceKind
from onex_services.namespaces import namespace_for
from onex_services.settings import env_flag, namespace_lease_s

MARK_TAG = '"onex_mark": "namespace/1"'
"""Every marker's text contains this exactly (how a server-side filter finds them)."""
DEFAULT_MARK_LEASE_S = 3600.0
MARK_TIMEOUT_S = 10.0


def marks_wanted() -> bool:
    """Whether new test namespaces get a marker: a marker costs a connection or more per server
    and namespace, and matters only where machines share servers. `ONEX_NAMESPACE_MARKS`
    (1/0) decides; unset, the external backend (`ONEX_SERVICES_BACKEND=external`) wants them."""
    external = os.environ.get("ONEX_SERVICES_BACKEND", "").strip() == "external"
    return env_flag("ONEX_NAMESPACE_MARKS", default=external)


class NamespaceMark(BaseModel):
    """What a namespace's marker says."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    run_id: str
    host: str
    created_at: float
    renewed_at: float
    lease_s: float

    def lease_held(self, now: float) -> bool:
        return now < self.renewed_at + self.lease_s

    def text(self) -> str:
        fields = json.dumps(self.model_dump(), separators=(", ", ": "), sort_keys=True)
        return "{" + MARK_TAG + ", " + fields[1:]


def parse_mark(text: str) -> NamespaceMark | None:
    """The marker in `text`; None when it is not the harness's."""
    if MARK_TAG not in text:
        return None
    try:
        return NamespaceMark.model_validate_json(text)
    except ValidationError:
        return None


def new_mark(
    run_id: str | None = None, *, now: float | None = None, created_at: float | None = None
) -> NamespaceMark:
    """A marker for this run, renewed now (created now unless `created_at` is given)."""
    at = time.time() if now is None else now
    lease = namespace_lease_s() or DEFAULT_MARK_LEASE_S
    run = run_id or namespace_for().removeprefix("onex_").rsplit("_", 1)[0]
    return NamespaceMark(
        run_id=run,
        host=socket.gethostname(),
        created_at=at if created_at is None else created_at,
        renewed_at=at,
        lease_s=lease,
    )


class MarkWriters:
    """The marker writers of a set of servers, kept open between namespaces (a pool marks every
    test's namespace: new connections per marker would cost more than the namespace itself)."""

    def __init__(self, urls: Mapping[ServiceKind, str]) -> None:
        self._urls = dict(urls)
        self._writers: dict[ServiceKind, NamespaceMarks] = {}

    async def write(self, namespace: str, mark: NamespaceMark | None = None) -> None:
        """Write the marker of `namespace` on each server whose kind keeps markers."""
        text = (mark or new_mark()).text()
        for kind, url in self._urls.items():
            factory = kind_spec(kind).namespace_marks
            if factory is not None and kind not in self._writers:
                self._writers[kind] = factory(url)
        await asyncio.gather(
            *(
                asyncio.wait_for(writer.write(namespace, text), MARK_TIMEOUT_S)
                for writer in self._writers.values()
            )
        )

    async def close(self) -> None:
        writers, self._writers = self._writers, {}
        await asyncio.gather(*(writer.close() for writer in writers.values()))


async def mark_namespace(
    namespace: str, urls: Mapping[ServiceKind, str], mark: NamespaceMark | None = None
) -> None:
    """Write the marker of `namespace` on each server of `urls` whose kind keeps markers."""
    writers = MarkWriters(urls)
    try:
        await writers.write(namespace, mark)
    finally:
        await writers.close()
