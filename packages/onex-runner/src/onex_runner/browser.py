"""Headless Chromium for the HTML report test: find it, or install Debian's package.

`python -m onex_runner.browser install` installs `chromium` with apt when it is missing (the e2e
session calls it on a fresh machine); `render_dom(path)` returns the DOM after scripts ran.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Flags for a sandboxed root session on a machine without network: no background traffic.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class BrowserUnavailableError(RuntimeError):
    pass


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailableError(
        "no Chromium found; install it with `python -m onex_runner.browser install` "
        "(Debian's chromium package)"
    )


def render_dom(page: Path, *, timeout_s: float = 60.0) -> str:
    """Load the page in headless Chromium and return the DOM after its scripts ran."""
    with tempfile.TemporaryDirectory(prefix="onex-chromium-") as profile:
        completed = subprocess.run(
            [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             "--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout_s, check=False,
        )  # fmt: skip
    if completed.returncode != 0:
        raise BrowserUnavailableError(
            f"chromium exited {completed.returncode}: {completed.stderr[-800:]}"
        )
    return completed.stdout


def install() -> int:
    if any(shutil.which(n) for n in ("chromium", "chromium-browser")):
        print("chromium is already installed")
        return 0
    print("installing Debian's chromium (apt-get) for the HTML report test ...", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
        check=True,
        env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        print("usage: python -m onex_runner.browser install", file=sys.stderr)
        sys.exit(2)
    sys.exit(install())
