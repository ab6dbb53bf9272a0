"""Errors of onex-scenario.

Every problem a user can cause with a scenario file becomes a `ValidationIssue` that names the file,
the line and column, the key path and what was expected, so that editors and CI logs can jump to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from onex_scenario.display import log_text

KeyPath = tuple[str | int, ...]
"""A path into a YAML document: mapping keys and list indexes, from the root."""

DOCUMENT = "(document)"
"""Key path shown for problems of the document as a whole (syntax, encoding, empty file)."""


def format_key_path(path: KeyPath) -> str:
    """Render a key path the way users write it: `steps[2].publish.topic`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or DOCUMENT


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem at one place. `line`/`column` are 1-based; 0 means "no position"."""

    file: str
    line: int
    column: int
    key_path: str
    message: str

    def __str__(self) -> str:
        # The one printed form: what a file holds may carry secrets and characters that do
        # not show as themselves (`\u200b`), so both are dealt with here, for every caller.
        if self.line <= 0:
            return log_text(f"{self.file}: {self.key_path}: {self.message}")
        return log_text(f"{self.file}:{self.line}:{self.column}: {self.key_path}: {self.message}")


def sort_issues(issues: Iterable[ValidationIssue]) -> list[ValidationIssue]:
    """Issues in reading order (file, line, column), duplicates dropped."""
    unique = dict.fromkeys(issues)
    return sorted(unique, key=lambda i: (i.file, i.line, i.column, i.key_path, i.message))


class OnexScenarioError(Exception):
    """Base class of every error raised by onex-scenario."""


class ScenarioValidationError(OnexScenarioError):
    """A scenario, base or index file (or the environment feeding it) is not valid.

    `issues` holds every problem found; `str()` is one line per issue,
    `path:line:col: key.path: message`, ready to print.
    """

    def __init__(self, issues: Sequence[ValidationIssue]) -> None:
        if not issues:
            raise ValueError("ScenarioValidationError needs at least one issue")
        self.issues: tuple[ValidationIssue, ...] = tuple(sort_issues(issues))
        super().__init__("\n".join(str(issue) for issue in self.issues))


class EnvOverrideError(ScenarioValidationError):
    """An `ONEX_*` override variable holds a value that cannot be used (file `<environment>`)."""


class ReferenceResolutionError(OnexScenarioError):
    """A `${steps.<id>.<field>}` reference cannot be resolved against the outputs seen so far."""

    def __init__(self, reference: str, reason: str) -> None:
        self.reference = reference
        self.reason = reason
        super().__init__(f"{reference}: {reason}")
