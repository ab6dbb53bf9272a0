"""Helpers of the nox sessions in noxfile.py: installing the workspace, running a pytest tier,
the shared service stack of a session, the Docker set-up and the benchmark command lines.

Kept apart so noxfile.py holds the sessions only (nox puts the noxfile's folder on sys.path).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYTHON = "3.11"
PACKAGES = sorted(p.name for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())
PYTEST_FLAGS = ("--strict-config", "--strict-markers", "-ra", "--durations=10")


def _sync(session: nox.Session) -> None:
    """Install every workspace package (editable) and the dev group into the session's venv.

    One `uv sync` against the workspace lock keeps every session on the same versions. Packages
    named in the session's `ONEX_SYNC_WITHOUT` (comma-separated) are left out.
    """
    without = [name for name in (session.env.get("ONEX_SYNC_WITHOUT") or "").split(",") if name]
    session.run_install(
        "uv",
        "sync",
        "--all-packages",
        "--all-extras",
        "--group",
        "dev",
        "--inexact",
        # Bytecode compiled at install, as pip does for a user: no run pays for compiling the
        # harness and its dependencies (the plugin start-up figure assumes it).
        "--compile-bytecode",
        *(option for name in without for option in ("--no-install-package", name)),
        f"--python={session.virtualenv.location}",
        env={"UV_PROJECT_ENVIRONMENT": str(session.virtualenv.location)},
        silent=True,
    )


def _run_pytest(
    session: nox.Session, marker: str, *default_paths: str, extra: tuple[str, ...] = ()
) -> None:
    """Run pytest on one tier (a marker expression) over the given paths or the session's posargs.

    `extra` are pytest options of the tier (e.g. `-n 2`), kept when posargs replace the paths.
    """
    _sync(session)
    junit = ROOT / "reports" / f"junit-{session.name}.xml"
    junit.parent.mkdir(exist_ok=True)
    session.run(
        "pytest",
        *PYTEST_FLAGS,
        "-m",
        marker,
        f"--junitxml={junit}",
        *extra,
        *(session.posargs or default_paths),
        env={"ONEX_TIER": session.name},
    )


def _package_tests() -> list[str]:
    """Every package's tests folder that exists (git does not keep an empty one)."""
    return [
        f"packages/{name}/tests"
        for name in PACKAGES
        if (ROOT / "packages" / name / "tests").is_dir()
    ]


@contextmanager
def _service_stack(
    session: nox.Session, state: str, backend: str = "process", kinds: tuple[str, ...] = ()
) -> Iterator[None]:
    """Install what the services need, start ONE shared stack for the session, stop it after.

    `onex services install` fetches Kafka's jars from Maven Central and PostgreSQL and Redis from
    apt when missing. The stack's state lives in .onex/<state> so a stack of your own is never
    touched; ONEX_REUSE=1 keeps it running for the next run.
    """
    session.env.setdefault("ONEX_STATE_DIR", str(ROOT / ".onex" / state))
    # Each tier names its backend: `auto` would switch to compose wherever an engine runs.
    # A profile that points at a shared cluster (ONEX_SERVICES_BACKEND=external) wins over it;
    # session.env holds what sessions set, not the environment nox was started in.
    shared = os.environ.get("ONEX_SERVICES_BACKEND") == "external"
    session.env.setdefault("ONEX_SERVICES_BACKEND", "external" if shared else backend)
    services = ("python", "-m", "onex_services")
    if session.env["ONEX_SERVICES_BACKEND"] != "external":  # a shared cluster runs elsewhere
        session.run(*services, "install")
    session.run(*services, "start", *kinds)
    # Deep probes before any test: a broken stack stops here.
    session.run(*services, "health", *kinds)
    try:
        yield
    finally:
        _keep_service_logs(session, services)
        if os.environ.get("ONEX_REUSE") != "1":
            session.run(*services, "stop", "--force")


def _keep_service_logs(session: nox.Session, services: tuple[str, ...]) -> None:
    """Copy each service's log into reports/service-logs/ (CI keeps reports/ as artifacts),
    secrets redacted and mode 0600 (`onex services logs --save`); a service without a log is
    passed over."""
    target = ROOT / "reports" / "service-logs" / session.name
    listed = session.run(*services, "kinds", silent=True, success_codes=[0, 1]) or ""
    for kind in [line.split("\t")[0] for line in str(listed).splitlines() if line.strip()]:
        save = str(target / f"{kind}.log")
        session.run(*services, "logs", kind, "--save", save, silent=True, success_codes=[0, 1, 3])


def _docker_ready(session: nox.Session) -> str:
    """What a session on Docker needs first; returns the owner its dockerd is recorded with.

    Every workspace package is installed, the test-only echo kind too: a kind with no compose
    service runs as a process beside the compose stack. `onex services install` fetches what
    the images take (Kafka's and Connect's jars, Toxiproxy's binaries). A dockerd started for
    the session is recorded with the owner and stopped at the end (`images engine-stop OWNER`);
    an engine that already ran is left running.
    """
    _sync(session)
    if os.geteuid() != 0 and shutil.which("docker") is None:
        session.skip("no Docker client and not root: no Docker engine can be set up here")
    session.run("python", "-m", "onex_services", "install")
    owner = f"nox-{session.name}-{os.getpid()}"
    session.env["ONEX_ENGINE_OWNER"] = owner
    return owner


def _benchmark_commands(posargs: list[str]) -> list[list[str]]:
    """`-- a.py --flag b.py` → [[a.py, --flag], [b.py]]: options belong to the script before them.
    No scripts named: every benchmarks/bench_*.py without options."""
    if not posargs:
        return [[str(p)] for p in sorted((ROOT / "benchmarks").glob("bench_*.py"))]
    if not posargs[0].endswith(".py"):
        raise SystemExit(f"benchmarks: name a script before its options (got {posargs[0]!r})")
    commands: list[list[str]] = []
    for arg in posargs:
        if arg.endswith(".py"):
            commands.append([arg])
        else:
            commands[-1].append(arg)
    return commands
