"""Installing programs from the operating system through apt-get.

Finding a kind's programs lives with its kind (`KindSpec.installer.check`), separate from
installing them: a start only finds (and says which command installs what is missing);
`onex services install` / `invoke setup` installs through apt-get.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

from onex_services.errors import InstallError

INSTALL_HINT = "run `onex services install` (or `invoke setup`)"
MIN_JAVA = 17

Progress = Callable[[str], None]


def apt_install(packages: list[str], progress: Progress) -> None:
    """Install Debian packages (root only); one `apt-get update` first so the lists are fresh."""
    if not packages:
        return
    if shutil.which("apt-get") is None:
        raise InstallError(
            f"cannot install {' '.join(packages)}: this machine has no apt-get",
            fix=f"install {' '.join(packages)} with the system's package manager",
        )
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise InstallError(
                f"installing {' '.join(packages)} needs root",
                fix=f"run as root, or: sudo apt-get install -y {' '.join(packages)}",
            )
        prefix = ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    progress("apt-get update")
    _run_logged([*prefix, "apt-get", "update", "-q"], env, progress)
    progress(f"apt-get install {' '.join(packages)}")
    _run_logged(
        [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env,
        progress,
    )


def _run_logged(argv: list[str], env: dict[str, str], progress: Progress) -> None:
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.rstrip())
        if line.startswith(("Get:", "Setting up", "Unpacking")):
            progress("  " + line.strip())
    if proc.wait() != 0:
        raise InstallError(
            f"`{' '.join(argv)}` failed (exit {proc.returncode})",
            log_tail="\n".join(lines[-15:]),
            fix="check the apt sources and network access to the Debian mirror",
        )
