"""What the harness may trust on disk: directories and files that are provably its own.

The run dir (`/tmp/onex-<uid>` by default) has a name anyone can guess, and a reaper running as
root deletes and kills what the files in it name. So nothing is read from a directory or file
unless it is owned by the current user, is not a symlink and cannot be written by anyone else;
files we write are private (0600) and replaced atomically.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from onex_services.errors import UntrustedPathError

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# State, manifests, markers and pid records are a few kilobytes; a bigger file is not ours.
MAX_OWNED_FILE_BYTES = 1 << 20


class NotOwnedError(Exception):
    """A file that is not provably ours; `str()` says why."""


def untrusted_reason(info: os.stat_result, *, want_dir: bool) -> str | None:
    """Why an `lstat` result is not ours to trust, or None when it is."""
    if stat.S_ISLNK(info.st_mode):
        return "it is a symlink"
    if want_dir and not stat.S_ISDIR(info.st_mode):
        return "it is not a directory"
    if not want_dir and not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    if info.st_uid != os.geteuid():
        return f"it is owned by uid {info.st_uid}, not by you (uid {os.geteuid()})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"others may write to it (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def private_dir(path: Path, *, what: str, env_var: str) -> Path:
    """`path`, created with mode 0700 when missing; refused unless it is provably ours.

    Its parents are created as usual; only the directory itself must be ours (a sticky /tmp
    keeps others from renaming it away).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=PRIVATE_DIR_MODE)
    try:
        info = path.lstat()
    except OSError as exc:
        raise UntrustedPathError(f"cannot use the {what} {path}", cause=str(exc)) from exc
    reason = untrusted_reason(info, want_dir=True)
    if reason is not None:
        raise UntrustedPathError(
            f"refusing to use the {what} {path}: nothing in it is read or removed",
            cause=reason,
            fix=f"set {env_var} to a directory of your own, or remove {path} if you trust it",
        )
    return path


def read_owned(path: Path) -> bytes:
    """The bytes of `path` if it is a small regular file of ours that only we may write.

    Raises FileNotFoundError when it is missing and `NotOwnedError` when it is not ours. The
    checks are made on the open file (O_NOFOLLOW, fstat), so a swap after them changes nothing.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        if os.path.islink(path):
            raise NotOwnedError(f"{path}: it is a symlink") from exc
        raise NotOwnedError(f"{path}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        reason = untrusted_reason(info, want_dir=False)
        if reason is None and info.st_size > MAX_OWNED_FILE_BYTES:
            reason = f"it is {info.st_size} bytes, too big for a file of the harness"
        if reason is not None:
            raise NotOwnedError(f"{path}: {reason}")
        return handle.read(MAX_OWNED_FILE_BYTES)


def write_private(path: Path, data: bytes) -> None:
    """Write `path` atomically (temp file + rename) with mode 0600: a reader never sees half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
