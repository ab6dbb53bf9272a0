"""A real PostgreSQL reached through a URL with a password: the scenario passes, and no report,
snapshot or HTML page holds the password."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from onex_runner.cli import run
from onex_services.models import ServiceEndpoint

pytestmark = [pytest.mark.integration, pytest.mark.requires_postgres]


def test_a_real_run_with_a_password_in_onex_db_url_leaks_it_nowhere(
    real_postgres: ServiceEndpoint,
    write_scenario: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The stack's PostgreSQL requires the password generated for it (scram-sha-256), so the URL
    # the run is pointed at carries a real secret that must be used and must never be written.
    password = urlsplit(real_postgres.dsn).password
    assert password, "the harness's PostgreSQL must require a password"
    monkeypatch.setenv("ONEX_DB_URL", real_postgres.dsn)
    monkeypatch.setenv("ONEX_SERVICES_BACKEND", "auto")  # take the URL it is pointed at
    sql = tmp_path / "integration" / "orders.sql"
    sql.parent.mkdir(exist_ok=True)
    sql.write_text("create table orders (id text primary key, qty int);\n"
                   "insert into orders values ('o-1', 2);\n")  # fmt: skip
    path = write_scenario(
        "real_secret", tier="integration", dependency_mode="real",
        external_services={"postgres": {"kind": "postgres"}},
        resources={"postgres": {"schema": "orders.sql"}},
        expect=[{"row": {"table": "orders", "where": {"id": "o-1"}, "equals": {"qty": 2}}}],
    )  # fmt: skip
    out = tmp_path / "out"
    result = CliRunner().invoke(
        run,
        [str(path), "--json", str(out / "r.json"), "--junit", str(out / "j.xml"),
         "--html", str(out / "r.html"), "--snapshots", str(out / "snapshots.jsonl")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output
    written = sorted(out.iterdir())
    assert [p.name for p in written] == [
        "events.jsonl", "history.sqlite", "j.xml", "r.html", "r.json", "snapshots.jsonl",
        "snapshots.replay.jsonl",
    ]  # fmt: skip
    assert password not in result.output
    assert [p.name for p in written if password.encode() in p.read_bytes()] == []
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
