"""Install what the process backend needs for the given kinds (each kind's `installer`).

`install_services` is what `onex services install` and `invoke setup` run; it is idempotent and
fast when everything is there already: one apt-get run for every kind's missing packages, then
each kind's own install step (which may fetch more, e.g. jars).
"""

from __future__ import annotations

from collections.abc import Sequence

from onex_services.catalog import kind_spec
from onex_services.install.system import Progress, apt_install
from onex_services.kinds.spec import InstalledItem
from onex_services.models import ServiceKind
from onex_services.settings import Paths

__all__ = ["InstalledItem", "install_services"]


def install_services(
    kinds: Sequence[ServiceKind], progress: Progress, paths: Paths | None = None
) -> list[InstalledItem]:
    """Make every program the process backend needs for `kinds` available, or raise why not."""
    paths = paths or Paths.from_env()
    specs = [kind_spec(kind) for kind in kinds]
    apt_install([p for spec in specs for p in spec.installer.missing_packages()], progress)
    return [item for spec in specs for item in spec.installer.install(paths, progress)]
