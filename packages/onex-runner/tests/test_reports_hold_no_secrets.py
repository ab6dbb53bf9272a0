"""No report, snapshot or HTML page of `onex run` holds a password, and reports are 0600."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from onex_runner.cli import run

pytestmark = pytest.mark.unit


def test_passwords_never_reach_a_report(
    write_scenario: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url_password = "Url-" + secrets.token_urlsafe(12)
    generated = "Gen-" + secrets.token_urlsafe(12)
    # A dead external PostgreSQL (nothing listens on port 1): its URL, password included, is
    # what the pre-condition failure talks about.
    monkeypatch.setenv("ONEX_DB_URL", f"postgresql://onex:{url_password}@127.0.0.1:1/db")
    monkeypatch.setenv("ONEX_DB_PASSWORD", generated)
    down = write_scenario(
        "db_down", tier="integration", dependency_mode="real",
        external_services={"postgres": {"kind": "postgres", "health_check_timeout": "1s"}},
        steps=[{"id": "b", "call": "bump"}],
    )  # fmt: skip
    # A node that hands secrets back: in a URL, under a secret key, and bare in a sentence.
    echoed = write_scenario(
        "echo", steps=[{"id": "e", "call": "echo", "kwargs": {
            "dsn": f"redis://:{url_password}@127.0.0.1:6379/0",
            "api_key": generated,
            "note": f"logged in with {generated}",
        }}],
        expect=[{"output": {"step": "e", "value": {"note": "something else"}}}],
    )  # fmt: skip
    out = tmp_path / "out"
    result = CliRunner().invoke(
        run,
        [str(down), str(echoed), "--json", str(out / "r.json"), "--junit", str(out / "j.xml"),
         "--html", str(out / "r.html"), "--snapshots", str(out / "snapshots.jsonl")],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    written = sorted(out.iterdir())
    assert [p.name for p in written] == [
        "events.jsonl", "history.sqlite", "j.xml", "r.html", "r.json", "snapshots.jsonl",
        "snapshots.replay.jsonl",
    ]  # fmt: skip
    for secret in (url_password, generated):
        assert secret not in result.output
        leaks = [p.name for p in written if secret.encode() in p.read_bytes()]
        assert leaks == [], f"{secret} found in {leaks}"
    assert "onex:***@127.0.0.1:1" in (out / "r.json").read_text()
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
