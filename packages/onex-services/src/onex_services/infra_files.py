"""Where the files of the backends are: the process configs and the image recipes (a stack's
compose file is written from the kinds' fragments when it starts, see `backends.compose_file`).

They have one source, the repository's `infra/` folder. A wheel carries a copy of its `process`
and `images` folders as `onex_services/infra/`, so an installed harness finds them without a
checkout; a checkout (an editable install) finds `infra/` above this file.
`ONEX_INFRA_DIR` points at another copy (a folder holding `process/` and `images/`).
"""

from __future__ import annotations

import os
from pathlib import Path

from onex_services.errors import BackendUnavailableError

PACKAGED = Path(__file__).with_name("infra")
PARTS = ("process", "images")


def _complete(folder: Path) -> bool:
    return all((folder / part).is_dir() for part in PARTS)


def infra_root() -> Path:
    """The infra folder in use: `ONEX_INFRA_DIR`, else the wheel's copy, else the checkout's."""
    explicit = os.environ.get("ONEX_INFRA_DIR")
    if explicit:
        folder = Path(explicit)
        if not _complete(folder):
            raise BackendUnavailableError(
                f"ONEX_INFRA_DIR={explicit} does not hold the backends' files",
                cause=f"expected the folders {', '.join(PARTS)} in it",
                fix="point ONEX_INFRA_DIR at a copy of the repository's infra/, or unset it",
            )
        return folder
    if _complete(PACKAGED):
        return PACKAGED
    for parent in Path(__file__).resolve().parents:
        if _complete(parent / "infra"):
            return parent / "infra"
    raise BackendUnavailableError(
        "the backends' files (process configs, image recipes) are missing",
        cause=f"neither {PACKAGED} nor a checkout's infra/ was found",
        fix="reinstall onex-services from its wheel, or set ONEX_INFRA_DIR to a copy of infra/",
    )
