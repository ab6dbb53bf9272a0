"""Namespace claims: when a run is provably gone, and what is never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import stand_ins
from onex_services.claims import NamespaceClaim, NamespaceClaims
from onex_services.errors import SettingError
from onex_services.models import ProcessRef, ServiceEndpoint
from onex_services.settings import namespace_lease_s

pytestmark = pytest.mark.unit
dead_ref = pytest.fixture(stand_ins.dead_ref)
REDIS = ServiceEndpoint(
    kind="redis", backend="process", host="127.0.0.1", port=6390, url="redis://x"
)


def _as_dead(claims: NamespaceClaims, claim: NamespaceClaim, dead: ProcessRef) -> None:
    """Rewrite `claim` as if a process that has exited had made it."""
    claims.release(claim.namespace)
    claims.renew(claim.model_copy(update={"owner": dead}), lease=0)


def test_a_claim_is_a_private_file_until_released(tmp_path: Path) -> None:
    claims = NamespaceClaims(tmp_path)
    claim = claims.claim("onex_run_main_abc", [REDIS], label="t")
    path = tmp_path / "namespaces" / "onex_run_main_abc.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert claims.all() == ([claim], [])
    assert claim.targets == {"redis": "127.0.0.1:6390"}
    claims.release("onex_run_main_abc")
    assert claims.all() == ([], [])


def test_a_live_owner_keeps_its_namespace_however_old_its_lease(tmp_path: Path) -> None:
    claims = NamespaceClaims(tmp_path)
    claims.claim("onex_run_main_live", [REDIS], lease=0)
    assert claims.orphans() == []


def test_a_dead_owner_loses_its_namespace_only_once_the_lease_expired(
    tmp_path: Path, dead_ref: ProcessRef
) -> None:
    claims = NamespaceClaims(tmp_path)
    claim = claims.claim("onex_run_main_dead", [REDIS], lease=3600)
    claims.release(claim.namespace)
    claims.renew(claim.model_copy(update={"owner": dead_ref}), lease=3600)
    assert claims.orphans() == []
    _as_dead(claims, claim, dead_ref)
    assert [orphan.namespace for orphan in claims.orphans()] == ["onex_run_main_dead"]


def test_an_owner_on_another_host_is_never_judged_by_its_pid(
    tmp_path: Path, dead_ref: ProcessRef
) -> None:
    claims = NamespaceClaims(tmp_path)
    claim = claims.claim("onex_run_main_far", [REDIS], lease=0)
    claims.renew(claim.model_copy(update={"owner": dead_ref, "host": "elsewhere"}), lease=0)
    assert claims.orphans() == []


def test_a_file_that_is_not_a_claim_is_ignored_and_said(tmp_path: Path) -> None:
    claims = NamespaceClaims(tmp_path)
    claims.claim("onex_run_main_ok", [REDIS])
    (tmp_path / "namespaces" / "garbage.json").write_text("{}")
    wrong = claims.claim("onex_run_main_b", [REDIS]).model_dump_json()
    (tmp_path / "namespaces" / "onex_run_main_c.json").write_text(wrong)  # named for another
    found, ignored = claims.all()
    assert [claim.namespace for claim in found] == ["onex_run_main_b", "onex_run_main_ok"]
    assert len(ignored) == 2
    assert all("not a claim of this harness" in line for line in ignored)


@pytest.mark.skipif(os.geteuid() != 0, reason="planting a file of another uid needs root")
def test_a_claim_planted_by_another_uid_is_not_read(tmp_path: Path, dead_ref: ProcessRef) -> None:
    claims = NamespaceClaims(tmp_path)
    claim = claims.claim("onex_run_main_x", [REDIS])
    _as_dead(claims, claim, dead_ref)
    os.chown(tmp_path / "namespaces" / "onex_run_main_x.json", 65534, 65534)
    found, ignored = claims.all()
    assert found == []
    assert ignored == [
        f"ignored the namespace claim {tmp_path}/namespaces/onex_run_main_x.json: "
        f"it is owned by uid 65534, not by you (uid {os.geteuid()})"
    ]


def test_the_lease_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEX_NAMESPACE_LEASE_S", "2.5")
    assert namespace_lease_s() == 2.5
    monkeypatch.setenv("ONEX_NAMESPACE_LEASE_S", "soon")
    with pytest.raises(SettingError, match="ONEX_NAMESPACE_LEASE_S='soon'"):
        namespace_lease_s()
