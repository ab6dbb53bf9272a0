"""Namespace claims: which run owns which namespace, so that those of dead runs are reclaimed.

A run that puts resources in a namespace (topics, a schema, keys) first claims it: one private
file `<state dir>/namespaces/<namespace>.json` naming the owner (host, pid, start time), a lease
and the services the namespace lives on (kind → `host:port`). A run that cleaned up releases its
claim. A claim whose run is provably gone — its owner runs on this host and is dead (pid and
start time, see `launcher.is_alive`), and its lease has expired — is an orphan: every start and
`onex services reap` hand its namespace to each kind's janitor on the service it lives on, then
drop the claim. A live run's namespace is never touched, however old its lease.

Extending it (a shared external cluster, issue 19): an owner on another host cannot be checked
by pid, so today its claims are never taken as orphans. There the lease must decide alone: such an
owner has to `renew` its claim within the lease (`ONEX_NAMESPACE_LEASE_S`, set above 0), and the
claims must live where every host sees them (a directory on shared storage, or a table on the
cluster itself behind the same `NamespaceClaims` interface). `host` and `lease_expires_at` are in
every claim for that reason.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from onex_services import launcher
from onex_services.models import ProcessRef, ServiceEndpoint, ServiceKind
from onex_services.namespaces import validate_namespace
from onex_services.ownership import NotOwnedError, read_owned, write_private
from onex_services.settings import namespace_lease_s

CLAIMS_DIR = "namespaces"


def target_of(endpoint: ServiceEndpoint) -> str:
    """How a claim names the service a namespace lives on."""
    return f"{endpoint.host}:{endpoint.port}"


class NamespaceClaim(BaseModel):
    """One run's claim on one namespace."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    namespace: Annotated[str, AfterValidator(validate_namespace)]
    owner: ProcessRef
    host: str
    lease_expires_at: float
    targets: dict[ServiceKind, str]
    label: str = ""
    created_at: float = Field(default_factory=time.time)

    def run_is_gone(self, now: float | None = None) -> bool:
        """Provably gone: the owner is on this host and dead, and the lease has expired."""
        if self.host != socket.gethostname() or launcher.is_alive(self.owner):
            return False
        return (time.time() if now is None else now) >= self.lease_expires_at


class NamespaceClaims:
    """The claims of one state dir."""

    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / CLAIMS_DIR

    def _path(self, namespace: str) -> Path:
        return self.directory / f"{validate_namespace(namespace)}.json"

    def claim(
        self,
        namespace: str,
        endpoints: Iterable[ServiceEndpoint],
        *,
        label: str = "",
        lease: float | None = None,
    ) -> NamespaceClaim:
        """Record this process as the owner of `namespace` on the services of `endpoints`."""
        claim = NamespaceClaim(
            namespace=validate_namespace(namespace),
            owner=launcher.owner_ref(),
            host=socket.gethostname(),
            lease_expires_at=time.time() + (namespace_lease_s() if lease is None else lease),
            targets={endpoint.kind: target_of(endpoint) for endpoint in endpoints},
            label=label,
        )
        self._write(claim)
        return claim

    def renew(self, claim: NamespaceClaim, *, lease: float | None = None) -> NamespaceClaim:
        """Push the lease of `claim` forward (what an owner the pid check cannot see must do)."""
        renewed = claim.model_copy(
            update={
                "lease_expires_at": time.time() + (namespace_lease_s() if lease is None else lease)
            }
        )
        self._write(renewed)
        return renewed

    def release(self, namespace: str) -> None:
        """Drop the claim: the namespace was cleaned, or is kept on purpose."""
        self._path(namespace).unlink(missing_ok=True)

    def _write(self, claim: NamespaceClaim) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(self._path(claim.namespace), claim.model_dump_json().encode())

    def all(self) -> tuple[list[NamespaceClaim], list[str]]:
        """Every claim, and a line for each file that is not a claim of this harness."""
        claims: list[NamespaceClaim] = []
        ignored: list[str] = []
        if not self.directory.is_dir():
            return claims, ignored
        for path in sorted(self.directory.glob("*.json")):
            try:
                claim = NamespaceClaim.model_validate_json(read_owned(path))
            except FileNotFoundError:
                continue  # released meanwhile
            except NotOwnedError as exc:
                ignored.append(f"ignored the namespace claim {exc}")
                continue
            except (OSError, ValidationError):
                claim = None
            if claim is None or path.name != f"{claim.namespace}.json":
                ignored.append(f"ignored the namespace claim {path}: not a claim of this harness")
            else:
                claims.append(claim)
        return claims, ignored

    def orphans(self) -> list[NamespaceClaim]:
        """The claims whose run is provably gone."""
        now = time.time()
        return [claim for claim in self.all()[0] if claim.run_is_gone(now)]
