"""A Go too old for the pinned Toxiproxy (Debian 12's 1.19) fetches the toolchain module with
`go mod download` and builds with it; a new enough Go is used as it is (unit tier: a stand-in
`go` script answers, no network)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from onex_services.errors import InstallError
from onex_services.kinds.toxiproxy.go_toolchain import go_for_toxiproxy, toolchain_module

pytestmark = pytest.mark.unit


def _fake_go(tmp_path: Path, version: str, download_ok: bool = True) -> Path:
    """A `go` that reports `version` and, asked to download the toolchain, lays out its files
    without modes (as a module zip does) and prints the JSON that `go mod download` prints."""
    root = tmp_path / "mod" / "toolchain"
    answer = json.dumps({"Dir": str(root)}) if download_ok else "{}"
    script = tmp_path / "go"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = env ]; then echo {version}; exit 0; fi\n'
        f'if [ "$1 $2" = "mod download" ]; then mkdir -p {root}/bin {root}/pkg/tool/linux_amd64\n'
        f"  : > {root}/bin/go; : > {root}/pkg/tool/linux_amd64/compile\n"
        f"  chmod 444 {root}/bin/go {root}/pkg/tool/linux_amd64/compile\n"
        f"  echo '{answer}'; exit {0 if download_ok else 1}; fi\n"
        "exit 2\n"
    )
    script.chmod(0o755)
    return script


def test_a_new_enough_go_is_used_as_it_is(tmp_path: Path) -> None:
    go = _fake_go(tmp_path, "go1.23.4")
    assert go_for_toxiproxy(go, os.environ, print) == go
    assert not (tmp_path / "mod").exists()


def test_an_older_go_builds_with_the_toolchain_module_it_downloads(tmp_path: Path) -> None:
    said: list[str] = []
    fetched = go_for_toxiproxy(_fake_go(tmp_path, "go1.19.8"), os.environ, said.append)
    root = tmp_path / "mod" / "toolchain"
    assert fetched == root / "bin" / "go"
    assert os.access(fetched, os.X_OK)
    assert os.access(root / "pkg" / "tool" / "linux_amd64" / "compile", os.X_OK)
    assert toolchain_module() in said[0]


def test_a_failed_download_names_the_module_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match=r"go mod download golang\.org/toolchain@") as caught:
        go_for_toxiproxy(_fake_go(tmp_path, "go1.19.8", download_ok=False), os.environ, print)
    assert "GOPROXY" in (caught.value.fix or "")
