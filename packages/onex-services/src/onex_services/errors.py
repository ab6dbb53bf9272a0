"""Errors of the service manager.

Every failure a user can meet (a missing binary, a port clash, a broker that died while starting)
is one `ServiceError` that names the cause, the log file to read and the command that fixes it, so
the CLI can print it as one message instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path


class ServiceError(Exception):
    """A service cannot be had; `str()` is the full message for people."""

    def __init__(
        self,
        summary: str,
        *,
        cause: str | None = None,
        log_path: Path | str | None = None,
        fix: str | None = None,
        log_tail: str | None = None,
    ) -> None:
        self.summary = summary
        self.cause = cause
        self.log_path = str(log_path) if log_path is not None else None
        self.fix = fix
        self.log_tail = log_tail
        super().__init__(self.render())

    def render(self) -> str:
        lines = [self.summary]
        if self.cause:
            lines.append(f"  cause: {self.cause}")
        if self.log_path:
            lines.append(f"  log:   {self.log_path}")
        if self.log_tail:
            lines.append("  last log lines:")
            lines.extend(f"    | {line}" for line in self.log_tail.splitlines())
        if self.fix:
            lines.append(f"  fix:   {self.fix}")
        return "\n".join(lines)


class MissingBinaryError(ServiceError):
    """A program a backend needs (java, initdb, redis-server, the Kafka jars) is not installed."""


class InstallError(ServiceError):
    """An install step (mvn, apt-get, a download) failed."""


class ServiceStartError(ServiceError):
    """A service process exited or never became healthy while starting."""


class PortClashError(ServiceStartError):
    """A port the harness wanted is held by another process."""


class ServiceUnavailableError(ServiceError):
    """A service that was asked for is down or unhealthy."""


class BackendUnavailableError(ServiceError):
    """The requested backend cannot serve on this machine (no Docker engine, not installed...)."""


class SettingError(ServiceError):
    """An ONEX_* variable holds a value the harness cannot use; the message says which and why."""

    def __init__(self, summary: str) -> None:
        super().__init__(summary, fix="correct or unset the variable (see docs/services.md)")


class UntrustedPathError(ServiceError):
    """A directory or file the harness would read or delete is not provably its own (another
    owner, writable by others, a symlink): the harness refuses to touch it."""
