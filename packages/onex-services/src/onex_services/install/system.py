"""Installing programs from the operating system through apt-get.

Finding a kind's programs lives with its kind (`KindSpec.installer.check`), separate from
installing them: a start only finds (and says which command installs what is missing);
`onex services install` / `invoke setup` installs through apt-get.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

from onex_services.errors import InstallError
from onex_services.long_work import apt_meter, run_logged
from onex_services.settings import Paths

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
    logs = Paths.from_env().cache_dir / "logs"
    fix = "check the apt sources and network access to the Debian mirror"
    run_logged(
        [*prefix, "apt-get", "update", "-q"],
        title="apt-get update",
        log_path=logs / "apt-get-update.log",
        say=progress,
        env=env,
        fix=fix,
    )
    run_logged(
        [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        title=f"apt-get install {' '.join(packages)}", log_path=logs / "apt-get-install.log",
        say=progress, meter=apt_meter(), env=env, fix=fix,
    )  # fmt: skip
