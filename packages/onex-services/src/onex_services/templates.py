"""Config templates of the process backend (`infra/process`, found by `infra_files`).

`ONEX_INFRA_PROCESS_DIR` points at another copy of this one folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from string import Template

from onex_services.infra_files import infra_root


def infra_dir() -> Path:
    explicit = os.environ.get("ONEX_INFRA_PROCESS_DIR")
    return Path(explicit) if explicit else infra_root() / "process"


def render(relative: str, **values: object) -> str:
    """The template `infra/process/<relative>` with `${name}` placeholders filled in."""
    text = (infra_dir() / relative).read_text(encoding="utf-8")
    return Template(text).substitute({key: str(value) for key, value in values.items()})


def option_lines(relative: str) -> list[str]:
    """Non-comment, non-blank lines of an options file such as `kafka/jvm.options`."""
    text = (infra_dir() / relative).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
