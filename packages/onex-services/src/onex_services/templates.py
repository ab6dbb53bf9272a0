"""Config templates of the process backend (infra/process in the repository).

A checkout renders the files in `infra/process`; a wheel carries the same folder as
`onex_services/infra_process`. One source, two ways to find it.
"""

from __future__ import annotations

import os
from pathlib import Path
from string import Template

from onex_services.errors import MissingBinaryError


def infra_dir() -> Path:
    explicit = os.environ.get("ONEX_INFRA_PROCESS_DIR")
    if explicit:
        return Path(explicit)
    packaged = Path(__file__).with_name("infra_process")
    if packaged.is_dir():
        return packaged
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "infra" / "process"
        if (candidate / "README.md").is_file():
            return candidate
    raise MissingBinaryError(
        "the process backend's config templates are missing",
        cause="neither onex_services/infra_process nor a checkout's infra/process was found",
        fix="reinstall onex-services, or set ONEX_INFRA_PROCESS_DIR to a copy of infra/process",
    )


def render(relative: str, **values: object) -> str:
    """The template `infra/process/<relative>` with `${name}` placeholders filled in."""
    text = (infra_dir() / relative).read_text(encoding="utf-8")
    return Template(text).substitute({key: str(value) for key, value in values.items()})


def option_lines(relative: str) -> list[str]:
    """Non-comment, non-blank lines of an options file such as `kafka/jvm.options`."""
    text = (infra_dir() / relative).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
