"""Long work (apt, mvn, debootstrap, image builds): output goes to the log the display names,
progress is read from the command's own lines, and a failure prints the log's tail."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from onex_services import long_work
from onex_services.errors import InstallError
from onex_services.long_work import (
    Reading,
    apt_meter,
    debootstrap_meter,
    docker_build_meter,
    maven_meter,
    run_logged,
    showing_progress,
)
from rich.console import Console

pytestmark = pytest.mark.unit


def _script(lines: list[str], code: int) -> list[str]:
    body = "".join(f"print({line!r}, flush=True)\n" for line in lines)
    return [sys.executable, "-c", body + f"raise SystemExit({code})"]


def test_output_goes_to_the_log_and_the_display_names_it(tmp_path: Path) -> None:
    said: list[str] = []
    log = tmp_path / "logs" / "work.log"
    run_logged(_script(["alpha", "beta"], 0), title="work", log_path=log, say=said.append)
    assert log.read_text().splitlines() == ["alpha", "beta"]
    assert said[0] == f"work (log: {log})"
    assert said[-1].startswith("  work: done")
    assert not any("alpha" in line or "beta" in line for line in said)


def test_a_failure_raises_with_the_log_tail_and_the_log_path(tmp_path: Path) -> None:
    lines = [f"line {i}" for i in range(40)] + ["E: Unable to locate package nope"]
    log = tmp_path / "apt.log"
    with pytest.raises(InstallError) as raised:
        run_logged(_script(lines, 100), title="apt-get install nope", log_path=log, say=print)
    error = raised.value
    assert error.log_path == str(log)
    assert error.log_tail is not None
    assert error.log_tail.splitlines()[-1] == "E: Unable to locate package nope"
    assert len(error.log_tail.splitlines()) == long_work.TAIL_LINES
    assert "exit 100" in str(error)


def test_a_program_that_cannot_start_is_an_install_error(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match="could not be started"):
        run_logged(
            ["/nonexistent/program"], title="missing", log_path=tmp_path / "m.log", say=print
        )


def test_progress_is_read_from_the_lines_into_the_plain_display(tmp_path: Path) -> None:
    said: list[str] = []
    lines = ["2 newly installed, 0 to remove", "Unpacking a", "Setting up a", "Unpacking b"]
    run_logged(
        _script(lines, 0), title="apt", log_path=tmp_path / "a.log", say=said.append,
        meter=apt_meter(),
    )  # fmt: skip
    assert "3/4 steps" in said[-1]


def test_the_bar_display_on_a_terminal_escapes_titles(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    with showing_progress(console):
        run_logged(
            _script(["Downloaded from central: https://x/a.jar (1.5 MB at 3 MB/s)"], 0),
            title="jars [bold]x[/bold]", log_path=tmp_path / "m.log", say=print,
            meter=maven_meter(),
        )  # fmt: skip
    shown = out.getvalue()
    assert "jars [bold]x[/bold]" in shown
    assert "1.5" in shown
    assert "MB" in shown


def test_the_meters_read_their_commands_lines() -> None:
    apt = apt_meter().read
    assert apt("5 upgraded, 12 newly installed, 0 to remove") == Reading(total=24)
    assert apt("Setting up redis-server (5:7.0.15-1) ...") == Reading(advance=1)
    assert apt("Reading package lists...") is None
    maven = maven_meter().read
    line = "Downloaded from central: https://repo/x/kafka_2.13-4.1.0.jar (6.9 MB at 2.1 MB/s)"
    assert maven(line) == Reading(advance=6_900_000)
    assert maven("Downloaded from central: https://repo/x.pom (2.3 kB at 9 kB/s)") == Reading(
        advance=2_300
    )
    assert maven("[INFO] BUILD SUCCESS") is None
    assert debootstrap_meter().read("I: Retrieving InRelease") == Reading(advance=1)
    docker = docker_build_meter().read
    assert docker("Step 3/7 : RUN apt-get install -y redis") == Reading(completed=2, total=7)
    assert docker("#6 [stage 3/5] RUN true") == Reading(completed=2, total=5)
    assert docker(" ---> Running in 1234") is None


def test_work_at_the_same_time_shares_one_live_display() -> None:
    """Services start side by side: a second live display on one console would raise."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    with showing_progress(console):
        display = long_work.current_display(print)
        kafka = display.begin("kafka", "steps", None, None)
        redis = display.begin("redis", "steps", None, None)
        kafka.describe("deep probe, attempt 2 (last: connection refused)")
        redis.finish(ok=True, outcome="healthy (0.4 s, 1 probe attempt)")
        kafka.finish(ok=False, outcome="unhealthy (5.0 s, 9 attempts)")
    shown = out.getvalue()
    assert "healthy (0.4 s, 1 probe attempt)" in shown
    assert "unhealthy (5.0 s, 9 attempts)" in shown
