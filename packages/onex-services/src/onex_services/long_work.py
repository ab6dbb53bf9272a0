"""Long external work (apt-get, mvn, debootstrap, image builds) run with progress and a log.

A command's output goes to a log file, never to the terminal: the terminal shows one line per
piece of work, a Rich progress bar counting steps or bytes with the log's path beside it. When the
command fails nothing is hidden: the log's last lines are printed and carried by the error.

Where no terminal is attached (CI logs), a bar that redraws in place would print nothing useful,
so the same work is reported as plain lines: a start line naming the log, a line every
`HEARTBEAT_S` with the amount done, and an end line with the time taken.

Which display is used is chosen once by the command that runs the work (`onex services install`,
`python -m onex_services.images`) with `showing_progress(console)`; installers only call
`run_logged` and stay free of display code.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, Protocol

from onex_scenario.display import plain_text
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from onex_services.errors import InstallError

HEARTBEAT_S = 15.0
TAIL_LINES = 20

Unit = Literal["steps", "bytes"]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Reading:
    """What one output line says about progress: an amount to add, a position reached, or the
    total once the command has announced it."""

    advance: int = 0
    completed: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class Meter:
    """How to read a command's progress from its output lines."""

    unit: Unit
    read: Callable[[str], Reading | None]
    total: int | None = None


class WorkView(Protocol):
    """One piece of long work on a display."""

    def update(self, *, advance: int, completed: int | None, total: int | None) -> None: ...

    def describe(self, text: str) -> None:
        """What the work is doing now (`probing: attempt 3`), shown beside its title."""

    def finish(self, ok: bool, outcome: str | None = None) -> None: ...


class Display(Protocol):
    def begin(
        self, title: str, unit: Unit, total: int | None, log_path: Path | None
    ) -> WorkView: ...


class _PlainView:
    def __init__(self, say: Say, title: str, unit: Unit, total: int | None) -> None:
        self._say, self._title, self._unit, self._total = say, title, unit, total
        self._done = 0
        self._doing = ""
        self._started = self._last_said = time.monotonic()

    def update(self, *, advance: int, completed: int | None, total: int | None) -> None:
        self._done = completed if completed is not None else self._done + advance
        self._total = total if total is not None else self._total
        self._heartbeat()

    def describe(self, text: str) -> None:
        self._doing = text
        self._heartbeat()

    def _heartbeat(self) -> None:
        now = time.monotonic()
        if now - self._last_said >= HEARTBEAT_S:
            self._last_said = now
            doing = f", {self._doing}" if self._doing else ""
            self._say(f"  {self._title}: {self._amount()}{doing} after {now - self._started:.0f} s")

    def finish(self, ok: bool, outcome: str | None = None) -> None:
        took = time.monotonic() - self._started
        said = outcome or f"{'done' if ok else 'FAILED'} ({self._amount()}, {took:.1f} s)"
        self._say(f"  {self._title}: {said}")

    def _amount(self) -> str:
        if self._unit == "bytes":
            done = f"{self._done / 1_000_000:.1f} MB"
            return done + (f" of {self._total / 1_000_000:.1f} MB" if self._total else "")
        return f"{self._done}" + (f"/{self._total}" if self._total else "") + " steps"


class PlainDisplay:
    """Progress as plain lines through `say` (CI logs, pipes, tests)."""

    def __init__(self, say: Say) -> None:
        self._say = say

    def begin(self, title: str, unit: Unit, total: int | None, log_path: Path | None) -> WorkView:
        if log_path is not None:
            self._say(f"{title} (log: {log_path})")
        return _PlainView(self._say, title, unit, total)


class _BarView:
    def __init__(self, display: BarDisplay, task: TaskID, unit: Unit) -> None:
        self._display, self._task, self._unit = display, task, unit

    def update(self, *, advance: int, completed: int | None, total: int | None) -> None:
        progress = self._display.progress
        progress.update(
            self._task, advance=advance if completed is None else None,
            completed=completed, total=total,
        )  # fmt: skip
        task = next(t for t in progress.tasks if t.id == self._task)
        done, of = task.completed, task.total
        if self._unit == "bytes":
            amount = f"{done / 1e6:.1f}" + (f" of {of / 1e6:.1f}" if of else "") + " MB"
        else:
            amount = f"{done:.0f}" + (f"/{of:.0f}" if of else "")
        progress.update(self._task, amount=amount)

    def describe(self, text: str) -> None:
        self._display.progress.update(self._task, doing=plain_text(text).markup)

    def finish(self, ok: bool, outcome: str | None = None) -> None:
        progress = self._display.progress
        task = next(t for t in progress.tasks if t.id == self._task)
        if ok and task.total is None:  # an unknown total ends as a full bar, not a spinner
            reached = task.completed or 1
            progress.update(self._task, total=reached, completed=reached)
        shown = outcome if outcome is not None else ("" if ok else "FAILED")
        progress.update(self._task, doing=plain_text(shown, "" if ok else "red").markup)
        progress.stop_task(self._task)
        self._display.ended()


class BarDisplay:
    """Rich progress bars on a terminal, one line per piece of work: steps as N/M, downloads as
    bytes. Work that runs at the same time (services starting side by side) shares one live
    display, since a console holds only one."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress: Progress | None = None
        self._running = 0

    @property
    def progress(self) -> Progress:
        if self._progress is None:
            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=24),
                TextColumn("{task.fields[amount]}"), TimeElapsedColumn(),
                TextColumn("{task.fields[doing]}"), TextColumn("[dim]{task.fields[log]}"),
                console=self._console,
            )  # fmt: skip
            self._progress.start()
        return self._progress

    def begin(self, title: str, unit: Unit, total: int | None, log_path: Path | None) -> WorkView:
        # Titles and paths are values, not markup: escaped before Rich sees them.
        log = f"log: {log_path}" if log_path is not None else ""
        task = self.progress.add_task(
            plain_text(title).markup, total=total, doing="", log=plain_text(log).markup, amount=""
        )
        self._running += 1
        return _BarView(self, task, unit)

    def ended(self) -> None:
        self._running -= 1
        if self._running == 0 and self._progress is not None:
            self._progress.stop()
            self._progress = None


_DISPLAY: contextvars.ContextVar[Display | None] = contextvars.ContextVar(
    "onex_long_work_display", default=None
)


@contextlib.contextmanager
def showing_progress(console: Console, say: Say | None = None) -> Iterator[None]:
    """Bars when `console` is a terminal, plain lines otherwise, for the work run inside."""
    display: Display = (
        BarDisplay(console) if console.is_terminal else PlainDisplay(say or console.print)
    )
    token = _DISPLAY.set(display)
    try:
        yield
    finally:
        _DISPLAY.reset(token)


def current_display(say: Say) -> Display:
    """The display chosen by the command running now, else plain lines through `say`."""
    return _DISPLAY.get() or PlainDisplay(say)


def run_logged(
    argv: list[str],
    *,
    title: str,
    log_path: Path,
    say: Say,
    meter: Meter | None = None,
    env: Mapping[str, str] | None = None,
    stdin: IO[bytes] | None = None,
    fix: str | None = None,
) -> None:
    """Run `argv` with its output in `log_path` and its progress on the current display.

    Raises `InstallError` with the log's last lines when the command fails or cannot start."""
    meter = meter or Meter(unit="steps", read=lambda _line: None)
    display = current_display(say)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    view = display.begin(title, meter.unit, meter.total, log_path)
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    code = _run(argv, log_path, meter, view, tail, env, stdin)
    view.finish(ok=code == 0)
    if code != 0:
        reason = f"exit {code}" if code > 0 else "could not be started"
        raise InstallError(
            f"{title}: `{' '.join(argv)}` failed ({reason})",
            log_path=log_path,
            log_tail="\n".join(tail),
            fix=fix,
        )


def _run(
    argv: list[str],
    log_path: Path,
    meter: Meter,
    view: WorkView,
    tail: deque[str],
    env: Mapping[str, str] | None,
    stdin: IO[bytes] | None,
) -> int:
    with open(log_path, "w", encoding="utf-8", errors="replace") as log:
        try:
            proc = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=stdin,
                env=None if env is None else dict(env), text=True, errors="replace",
            )  # fmt: skip
        except OSError as exc:
            log.write(f"{exc}\n")
            tail.append(str(exc))
            return -1
        assert proc.stdout is not None
        # The reader is a thread so that the plain display's heartbeat and the bar's spinner keep
        # going while a command (debootstrap, a docker build step) is silent for minutes.
        reader = threading.Thread(
            target=_read_lines, args=(proc.stdout, log, meter, view, tail), daemon=True
        )
        reader.start()
        code = proc.wait()
        reader.join()
    return code


def _read_lines(
    stream: IO[str], log: IO[str], meter: Meter, view: WorkView, tail: deque[str]
) -> None:
    for line in stream:
        log.write(line)
        tail.append(line.rstrip())
        reading = meter.read(line)
        if reading is not None:
            view.update(advance=reading.advance, completed=reading.completed, total=reading.total)


# The meters of the commands the harness runs. Each reads only lines it recognises.

_APT_TOTAL = re.compile(r"(\d+) newly installed")


def apt_meter() -> Meter:
    """apt-get install: two steps per package (unpack, set up), total from apt's own summary."""

    def read(line: str) -> Reading | None:
        if found := _APT_TOTAL.search(line):
            return Reading(total=2 * int(found.group(1)))
        if line.startswith(("Unpacking ", "Setting up ")):
            return Reading(advance=1)
        return None

    return Meter(unit="steps", read=read)


_MAVEN_DOWNLOADED = re.compile(r"^Downloaded from \S+: \S+ \((\d+(?:\.\d+)?) ([kMG]?B)")
_SIZE_UNITS = {"B": 1, "kB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000}


def maven_meter() -> Meter:
    """mvn -B: the bytes of every artifact it reports as downloaded (the total is unknown)."""

    def read(line: str) -> Reading | None:
        if found := _MAVEN_DOWNLOADED.match(line):
            return Reading(advance=round(float(found.group(1)) * _SIZE_UNITS[found.group(2)]))
        return None

    return Meter(unit="bytes", read=read)


def debootstrap_meter() -> Meter:
    """debootstrap: its `I:` lines are its stages (retrieving, extracting, configuring ...)."""

    def read(line: str) -> Reading | None:
        return Reading(advance=1) if line.startswith("I: ") else None

    return Meter(unit="steps", read=read)


_LEGACY_STEP = re.compile(r"^Step (\d+)/(\d+) :")
_BUILDKIT_STEP = re.compile(r"^#\d+ \[\s*(?:\S+\s+)?(\d+)/(\d+)\]")


def docker_build_meter() -> Meter:
    """docker build, with the legacy builder (`Step 3/7 :`) or BuildKit's plain output
    (`#6 [3/7] RUN ...`): the recipe's steps."""

    def read(line: str) -> Reading | None:
        found = _LEGACY_STEP.match(line) or _BUILDKIT_STEP.match(line)
        if found:
            return Reading(completed=int(found.group(1)) - 1, total=int(found.group(2)))
        return None

    return Meter(unit="steps", read=read)
