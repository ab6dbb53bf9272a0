"""Test tiers of this project, run by the ONEX Scenario Harness (written by `onex init`).

Each session runs in the environment nox runs in, where the harness is installed
(`python -m pip install nox onex-harness`); the CI pipelines call these sessions and nothing else.
A tier whose folder holds no scenario yet is skipped, with the reason.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["unit"]
ROOT = Path(__file__).parent


def _run_tier(session: nox.Session, tier: str, *, services: bool) -> None:
    folder = ROOT / "scenarios" / tier
    if not any(folder.rglob("*.yaml")):
        session.skip(f"no scenarios in scenarios/{tier} yet")
    if services:
        # Kafka, PostgreSQL and Redis as local processes (installed when missing).
        session.run("onex", "services", "install", external=True)
    junit = ROOT / "reports" / f"junit-{tier}.xml"
    session.run(
        "onex", "run", f"scenarios/{tier}", "--junit", str(junit), *session.posargs,
        external=True,
    )  # fmt: skip


@nox.session(venv_backend="none", tags=["ci"])
def unit(session: nox.Session) -> None:
    """Unit tier: scenarios on mock dependencies, no services started."""
    _run_tier(session, "unit", services=False)


@nox.session(venv_backend="none", tags=["ci"])
def integration(session: nox.Session) -> None:
    """Integration tier: scenarios on real Kafka, PostgreSQL and Redis, started by the harness."""
    _run_tier(session, "integration", services=True)


@nox.session(venv_backend="none", tags=["ci"])
def mixed(session: nox.Session) -> None:
    """Mixed tier: scenarios with some services real and some mocks."""
    _run_tier(session, "mixed", services=True)
