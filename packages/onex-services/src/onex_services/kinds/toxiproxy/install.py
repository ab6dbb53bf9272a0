"""Toxiproxy's programs, built by `go install` from the Go module proxy into the harness's cache.

The server and the CLI of one pinned version go to `<cache>/toxiproxy/<version>/bin/` (`server`
and `cli`, as `go install` names them). GOPATH and the build cache live in `<cache>/go`, so an
install touches nothing of the user's own Go setup; GOFLAGS=-modcacherw keeps that module cache
removable with `rm -rf`. A Go older than the one Toxiproxy needs (Debian 12's) fetches that one
from the module proxy first (`go_toolchain`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from onex_services.errors import InstallError, MissingBinaryError
from onex_services.install.system import INSTALL_HINT
from onex_services.kinds.spec import Progress
from onex_services.kinds.toxiproxy.go_toolchain import go_for_toxiproxy
from onex_services.settings import Paths

TOXIPROXY_VERSION = "v2.12.0"
MODULE = "github.com/Shopify/toxiproxy/v2"
PROGRAMS = {"server": "cmd/server", "cli": "cmd/cli"}
_GO_FALLBACK = Path("/usr/local/go/bin/go")


def toxiproxy_version() -> str:
    return os.environ.get("ONEX_TOXIPROXY_VERSION") or TOXIPROXY_VERSION


def bin_dir(cache_dir: Path) -> Path:
    return cache_dir / "toxiproxy" / toxiproxy_version() / "bin"


def find_go() -> Path:
    found = shutil.which("go") or (str(_GO_FALLBACK) if _GO_FALLBACK.is_file() else None)
    if found is None:
        raise MissingBinaryError(
            "Go is not installed (Toxiproxy is built with `go install`)",
            cause="no `go` on PATH nor at /usr/local/go/bin/go",
            fix="install Go (apt-get install golang-go; one older than 1.23 fetches Go 1.23 "
            "from the module proxy), then "
            "`onex services install toxiproxy`",
        )
    return Path(found)


def find_server(cache_dir: Path | None = None) -> Path:
    """The Toxiproxy server of the pinned version in the cache (`ONEX_TOXIPROXY_SERVER` wins)."""
    explicit = os.environ.get("ONEX_TOXIPROXY_SERVER")
    if explicit:
        if not Path(explicit).is_file():
            raise MissingBinaryError(
                "ONEX_TOXIPROXY_SERVER names no file",
                cause=explicit,
                fix="unset it, or point it at a toxiproxy-server binary",
            )
        return Path(explicit)
    server = bin_dir(cache_dir or Paths.from_env().cache_dir) / "server"
    if not server.is_file():
        raise MissingBinaryError(
            f"Toxiproxy {toxiproxy_version()} is not installed",
            cause=f"no {server}",
            fix=INSTALL_HINT,
        )
    return server


def server_program() -> Path | None:
    try:
        return find_server()
    except MissingBinaryError:
        return None


def install_toxiproxy(paths: Paths, progress: Progress) -> Path:
    """`go install` the pinned server and CLI unless both are there; returns the bin dir."""
    target = bin_dir(paths.cache_dir)
    if all((target / name).is_file() for name in PROGRAMS):
        return target
    gopath = paths.cache_dir / "go"
    env = dict(
        os.environ,
        GOPATH=str(gopath),
        GOMODCACHE=str(gopath / "pkg" / "mod"),
        GOCACHE=str(gopath / "build-cache"),
        GOBIN=str(target),
        GOFLAGS="-modcacherw",
        CGO_ENABLED="0",
    )
    go = go_for_toxiproxy(find_go(), env, progress)
    target.mkdir(parents=True, exist_ok=True)
    for name, package in PROGRAMS.items():
        spec = f"{MODULE}/{package}@{toxiproxy_version()}"
        progress(f"go install {spec}")
        done = subprocess.run(
            [str(go), "install", spec], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or not (target / name).is_file():
            raise InstallError(
                f"go install {spec} failed",
                cause=(done.stderr or done.stdout).strip()[-2000:],
                fix="check that the Go module proxy answers (GOPROXY)",
            )
    return target
