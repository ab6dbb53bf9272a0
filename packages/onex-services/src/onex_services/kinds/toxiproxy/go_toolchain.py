"""A Go new enough for the pinned Toxiproxy, on a machine whose Go is older.

Debian 12's `golang-go` (what the installer asks apt for) is Go 1.19, and Toxiproxy v2.12.0
needs Go 1.23: its go.mod says `go 1.23.0`, which Go 1.19 cannot even parse. When the Go found
is older, the installer asks that Go for the toolchain a newer Go would switch to by itself:
the module `golang.org/toolchain@v0.0.1-go<version>.<os>-<arch>` from the Go module proxy
(GOPROXY, mirrors included), checked against the checksum database like any module (`go mod
download`) and kept in the harness's module cache. A module zip keeps no file modes, so its
programs are made executable here, as Go's own toolchain switch does.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from onex_services.errors import InstallError
from onex_services.kinds.spec import Progress

NEEDED = (1, 23)
TOOLCHAIN = "go1.23.0"
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def go_version(go: Path, env: Mapping[str, str]) -> tuple[int, int] | None:
    """(major, minor) of the Go at `go` (None when it does not say, e.g. a dev build)."""
    done = subprocess.run(
        [str(go), "env", "GOVERSION"], env=dict(env), capture_output=True, text=True, check=False
    )
    found = re.match(r"go(\d+)\.(\d+)", done.stdout.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def toolchain_module() -> str:
    arch = _ARCH.get(platform.machine().lower())
    if arch is None or not sys.platform.startswith("linux"):
        raise InstallError(
            f"no Go toolchain to fetch for {sys.platform}/{platform.machine()}",
            fix=f"install Go {NEEDED[0]}.{NEEDED[1]} or later yourself",
        )
    return f"golang.org/toolchain@v0.0.1-{TOOLCHAIN}.linux-{arch}"


def go_for_toxiproxy(go: Path, env: Mapping[str, str], progress: Progress) -> Path:
    """`go` when it is new enough, else the fetched toolchain's `go` (fetched once)."""
    version = go_version(go, env)
    if version is None or version >= NEEDED:
        return go
    module = toolchain_module()
    progress(f"{go} is Go {version[0]}.{version[1]}: fetching {module} from the module proxy")
    done = subprocess.run(
        [str(go), "mod", "download", "-json", module],
        env=dict(env), capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        root = Path(json.loads(done.stdout)["Dir"])
    except (ValueError, KeyError, TypeError):
        root = None
    if done.returncode != 0 or root is None or not (root / "bin" / "go").is_file():
        raise InstallError(
            f"go mod download {module} failed",
            cause=(done.stderr or done.stdout).strip()[-2000:],
            fix="check that the Go module proxy answers (GOPROXY), or install Go "
            f"{NEEDED[0]}.{NEEDED[1]} or later",
        )
    for folder in (root / "bin", *root.glob("pkg/tool/*")):
        for program in folder.iterdir():
            if program.is_file():
                program.chmod(0o755)
    return root / "bin" / "go"
