"""Test tiers of the ONEX Scenario Harness.

Each session is a tier or a check; CI pipelines call these sessions and never copy their commands.
`nox -l` lists them with the docstrings below; `nox -t ci` runs what `.ci/run` runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "typecheck", "unit"]

ROOT = Path(__file__).parent
PYTHON = "3.11"
PACKAGES = sorted(p.name for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())
PYTEST_FLAGS = ("--strict-config", "--strict-markers", "-ra", "--durations=10")


def _sync(session: nox.Session) -> None:
    """Install every workspace package (editable) and the dev group into the session's venv.

    One `uv sync` against the workspace lock keeps every session on the same versions.
    """
    session.run_install(
        "uv",
        "sync",
        "--all-packages",
        "--all-extras",
        "--group",
        "dev",
        "--inexact",
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


@nox.session(python=PYTHON, tags=["ci", "static"])
def lint(session: nox.Session) -> None:
    """Ruff lint and format check over the whole repository."""
    _sync(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON, tags=["ci", "static"])
def typecheck(session: nox.Session) -> None:
    """mypy --strict over every package's sources and tests, the tasks and the noxfile."""
    _sync(session)
    for name in PACKAGES:
        tests = ROOT / "packages" / name / "tests"
        session.run("mypy", f"packages/{name}/src", *([str(tests)] if tests.is_dir() else []))
    session.run("mypy", "tasks", "noxfile.py", "benchmarks")


@nox.session(python=PYTHON, tags=["ci", "tier"])
def unit(session: nox.Session) -> None:
    """Unit tier: fast tests and mock scenarios, no services started."""
    _run_pytest(session, "unit", *_package_tests())


@nox.session(python=PYTHON, tags=["ci", "tier"])
def integration(session: nox.Session) -> None:
    """Integration tier: real Kafka, PostgreSQL and Redis, installed if missing, one stack per run.

    Installs what the services need (`onex services install`: Kafka's jars from Maven Central,
    PostgreSQL and Redis from apt), starts ONE shared stack, runs every package's integration
    tests on two xdist workers against it, and stops it (ONEX_REUSE=1 keeps it for the next run).
    The stack's state lives in .onex/ so a stack of your own is never touched.
    """
    _sync(session)
    session.env.setdefault("ONEX_STATE_DIR", str(ROOT / ".onex" / "nox-integration"))
    services = ("python", "-m", "onex_services")
    session.run(*services, "install")
    session.run(*services, "start")
    try:
        _run_pytest(session, "integration", *_package_tests(), extra=("-n", "2"))
    finally:
        if os.environ.get("ONEX_REUSE") != "1":
            session.run(*services, "stop", "--force")


@nox.session(python=PYTHON, tags=["bench"], default=False)
def benchmarks(session: nox.Session) -> None:
    """Benchmarks: print throughput and latency figures (ratios and numbers, never assertions)."""
    _sync(session)
    selected = session.posargs or sorted(str(p) for p in (ROOT / "benchmarks").glob("bench_*.py"))
    for script in selected:
        session.run("python", script, env={"PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")})
