"""Test tiers of the ONEX Scenario Harness.

Each session is a tier or a check; CI pipelines call these sessions and never copy their commands.
`nox -l` lists them with the docstrings below; `nox -t ci` runs what `.ci/run` runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nox

# nox loads this file by its path, which puts no folder on sys.path: the helpers beside it are
# found through this line.
sys.path.insert(0, str(Path(__file__).parent))
from nox_helpers import (
    PACKAGES,
    PYTEST_FLAGS,
    PYTHON,
    ROOT,
    _benchmark_commands,
    _docker_ready,
    _package_tests,
    _run_pytest,
    _service_stack,
    _sync,
)

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "typecheck", "unit"]


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
    others = ("tasks", "noxfile.py", "nox_helpers.py", "benchmarks", "examples", "pipelines")
    session.run("mypy", *others, "reliability")


@nox.session(python=PYTHON, tags=["ci", "tier"])
def unit(session: nox.Session) -> None:
    """Unit tier: fast tests and mock scenarios, no services started."""
    paths = (
        *_package_tests(),
        "examples/tests",
        "pipelines/tests",
        "benchmarks/tests",
        "scenarios/unit",
    )
    _run_pytest(session, "unit", *paths)


@nox.session(python=PYTHON, tags=["ci", "tier"])
def integration(session: nox.Session) -> None:
    """Integration tier: real Kafka, PostgreSQL and Redis; package tests and real scenarios.

    Runs on two xdist workers against one shared stack, each worker in its own namespace. Every
    broker it starts speaks SASL_SSL only, with one identity for all (docs/scale.md).
    """
    from nox_secured import secured_tier

    _sync(session)
    with secured_tier(session, "nox-integration"):
        paths = (*_package_tests(), "scenarios/integration")
        _run_pytest(session, "integration", *paths, extra=("-n", "2"))


@nox.session(python=PYTHON, tags=["ci"])
def secured(session: nox.Session) -> None:
    """Integration tier against a broker that speaks SASL_SSL only (SCRAM-SHA-512, a CA of its
    own), a PostgreSQL that takes TLS only and a Redis with TLS and an ACL user, attached as
    external services through the ONEX_* variables alone; then the checks that plain clients are
    refused and that no password reached a report, log or status output (docs/scale.md)."""
    from nox_secured import attach_env, secured_stack

    _sync(session)
    with secured_stack(session) as values:
        attach_env(session, values)
        # The integration scenarios, Connect's included, but the Toxiproxy network faults (an
        # external cluster has no proxy slots); the package tests' integration tier needs the
        # process backend in many places (private stacks, broker kills), see docs/scale.md.
        tier = "integration and not requires_toxiproxy"
        skip = "--ignore=scenarios/integration/network"
        _run_pytest(session, tier, "scenarios/integration", extra=("-n", "2", skip))
        _run_pytest(session, "secured", "packages/onex-runner/tests/test_secured_cluster.py")


@nox.session(python=PYTHON, tags=["ci", "tier"])
def mixed(session: nox.Session) -> None:
    """Mixed tier: scenarios with some services real and some mocks (per-service modes)."""
    _sync(session)
    with _service_stack(session, "nox-mixed"):
        _run_pytest(session, "mixed", *_package_tests(), "scenarios/mixed", "scenarios/faults")


@nox.session(python=PYTHON, tags=["ci", "tier"])
def e2e(session: nox.Session) -> None:
    """End-to-end tier: CLI process → real Kafka → daemon node → reply, and the HTML report
    rendered in a real headless Chromium (installed from Debian's packages when missing)."""
    _sync(session)
    if shutil.which("chromium") is None:
        session.run("python", "-m", "onex_runner.browser", "install", external=True)
    with _service_stack(session, "nox-e2e"):
        _run_pytest(session, "e2e", *_package_tests(), "scenarios/e2e")


@nox.session(python=PYTHON, tags=["ci", "tier"])
def fidelity(session: nox.Session) -> None:
    """Fidelity: the contract suite on the mocks and on the real services (case by mock by real),
    then the differential tests (Hypothesis drives mock and real with the same random sequence,
    bounded and derandomised; ONEX_FIDELITY_EXAMPLES / ONEX_FIDELITY_RANDOM=1 for a longer run).
    Prints the known divergences; fails on any other divergence."""
    _sync(session)
    results = ROOT / "reports" / "fidelity.json"
    results.parent.mkdir(exist_ok=True)
    results.unlink(missing_ok=True)
    tests = ROOT / "packages/onex-registry/tests"
    contract = [str(p) for p in sorted(tests.glob("test_contract_*.py"))]
    differential = [str(p) for p in sorted(tests.glob("test_differential_*.py"))]
    with _service_stack(session, "nox-fidelity"):
        session.run(
            "pytest", *PYTEST_FLAGS, "-q", "-m", "unit or integration", *contract,
            env={"ONEX_FIDELITY_OUT": str(results)}, success_codes=[0, 1],
        )  # fmt: skip
        session.run("pytest", *PYTEST_FLAGS, "-q", "-m", "fidelity", *differential)
    session.run("python", "-m", "onex_registry.fidelity", str(results))


@nox.session(python=PYTHON, default=False)
def demo(session: nox.Session) -> None:
    """The main job: every example scenario in every tier through `onex run` (services started
    automatically), then the defect demonstration; ends with the table and the report's path."""
    _sync(session)
    with _service_stack(session, "nox-demo"):
        report = ROOT / "reports" / "demo.html"
        session.run(
            "onex", "run", "scenarios", "--html", str(report),
            "--events", str(ROOT / "reports" / "events.jsonl"),
            "--junit", str(ROOT / "reports" / "junit-demo.xml"),
            "--json", str(ROOT / "reports" / "demo.json"),
        )  # fmt: skip
        session.run(
            "python", "-m", "examples.defect_matrix", "--quick",
            "--events", str(ROOT / "reports" / "events.jsonl"), "--html", str(report),
            *session.posargs,
        )  # fmt: skip
    session.log(f"HTML report: {report}")  # last, after the stack's shutdown lines


@nox.session(python=PYTHON, default=False)
def defects(session: nox.Session) -> None:
    """Defect matrix: the example suite once per defect in mock and in real mode; prints which
    tier caught each defect (defect by mock tier by real tier)."""
    _sync(session)
    with _service_stack(session, "nox-defects"):
        reports = ROOT / "reports" / "defects"
        (reports / "events.jsonl").unlink(missing_ok=True)  # a stream of its own for the matrix
        session.run(
            "python", "-m", "examples.defect_matrix",
            "--events", str(reports / "events.jsonl"), "--html", str(reports / "defects.html"),
            *session.posargs,
        )  # fmt: skip
    session.log(f"HTML report: {reports / 'defects.html'}")  # last, after the stack's shutdown


@nox.session(python=PYTHON, tags=["ci"])
def reliability(session: nox.Session) -> None:
    """Crash and kill figures: harness SIGKILL x 10 (leftovers 0/0/0), broker SIGKILL
    mid-scenario x 5 (all end with a report), planted-file attacks refused, secrets in reports
    (0), and the dead-broker time; fails when a figure that must hold does not.

    Every kill hits stacks of the session's own (state and run dirs of their own).
    """
    _sync(session)
    session.env["ONEX_SERVICES_BACKEND"] = "process"
    session.run("python", "-m", "onex_services", "install")
    session.run("python", "-m", "reliability.figures", *session.posargs)


@nox.session(python=PYTHON, tags=["bench"], default=False)
def benchmarks(session: nox.Session) -> None:
    """Benchmarks: print throughput and latency figures (ratios and numbers, never assertions)."""
    _sync(session)
    env = {"PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0")}
    for command in _benchmark_commands(session.posargs):
        session.run("python", *command, env=env)


@nox.session(python=PYTHON, tags=["sim"], default=False)
def shards(session: nox.Session) -> None:
    """Sharding simulation (not in ci): 4 shards x 2 workers at once against ONE shared process
    stack, each integration scenario 4 times (`-- --workload io`: the I/O-bound scenarios of
    benchmarks/io_workload instead); prints messages, rows and keys that crossed
    namespaces and what was left after every shard (both must be 0; the session fails when not),
    the time against a single shard, the ratio and the CPU-bound ceiling of this machine."""
    _sync(session)
    with _service_stack(session, "shards"):
        session.run("python", "benchmarks/sim_shards.py", *session.posargs)


TESTCONTAINERS = "testcontainers[postgres,redis]==4.15.0"


@nox.session(python=PYTHON, tags=["bench"], default=False)
def peers(session: nox.Session) -> None:
    """Side by side with testcontainers-python (not in ci, about 15 minutes, needs Docker): the
    same work per test as a container per test, as session containers cleaned by hand, and as
    the harness with a namespace per test, on the same local images; prints totals, per-test
    costs and ratios. Run it as `flock /tmp/onex-docker.lock ./dev -s peers` (one dockerd)."""
    owner = _docker_ready(session)
    session.run("uv", "pip", "install", f"--python={session.virtualenv.location}",
                TESTCONTAINERS, silent=True)  # fmt: skip
    try:
        # The compose backend runs each kind's local image once built (see the compose session).
        session.run("python", "-m", "onex_services.images", "build")
        with _service_stack(session, "nox-peers", backend="compose", kinds=("postgres", "redis")):
            session.run("python", "benchmarks/peer_testcontainers.py", *session.posargs)
    finally:
        session.run("python", "-m", "onex_services.images", "engine-stop", owner)


ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
GROOVY = ("org.apache.groovy", "groovy", "4.0.33")


@nox.session(python=PYTHON, tags=["ci", "static"])
def pipelines(session: nox.Session) -> None:
    """Pipelines: regenerate-check the GitHub, GitLab and Jenkins files from the nox sessions,
    then lint them (actionlint; GitLab's and GitHub's JSON schemas; Groovy's parser and the
    declarative structure for the Jenkinsfile). Installs the linters on first use."""
    _sync(session)
    session.install("check-jsonschema==0.39.0")
    session.run("python", "pipelines/generate.py", "--check")
    gobin = ROOT / ".tools" / "go" / "bin"
    if not (gobin / "actionlint").exists():
        session.run("go", "install", ACTIONLINT, env={"GOBIN": str(gobin)}, external=True)
    session.run(str(gobin / "actionlint"), ".github/workflows/ci.yml", external=True)
    schema = ("check-jsonschema", "--builtin-schema")
    session.run(*schema, "vendor.github-workflows", ".github/workflows/ci.yml")
    session.run(*schema, "vendor.gitlab-ci", ".gitlab-ci.yml")
    group, artifact, version = GROOVY
    jar = Path.home() / ".m2/repository" / group.replace(".", "/") / artifact / version
    jar = jar / f"{artifact}-{version}.jar"
    if not jar.exists():
        session.run(
            "mvn", "-q", "dependency:get", f"-Dartifact={group}:{artifact}:{version}", external=True
        )
    session.run("python", "pipelines/check_jenkinsfile.py", "Jenkinsfile", str(jar))


HARNESS_DISTS = ("onex_scenario", "onex_registry", "onex_services", "onex_runner", "onex_harness")
OUTSIDE_PROJECT = ROOT / "examples" / "outside-project"


@nox.session(python=False, tags=["ci"])
def adoption(session: nox.Session) -> None:
    """Adoption: the harness where users use it. Builds the workspace's wheels, installs them in
    a fresh venv outside the repository, copies examples/outside-project to a temporary folder
    and runs `onex init --check`, `onex run` (mock, real, mixed, the service as a process) and
    `pytest -n 2` there, on a stack of its own; then `onex init && onex run` in an empty folder."""
    work = Path(tempfile.mkdtemp(prefix="onex-adoption-"))
    work.chmod(0o755)  # PostgreSQL runs as its own user when we are root: it must reach run/
    wheels, venv, project = work / "wheels", work / "venv", work / "project"
    session.run("uv", "build", "--all-packages", "--wheel", "-q", "-o", str(wheels), external=True)
    session.run("uv", "venv", "-q", f"--python={PYTHON}", str(venv), external=True)
    # The harness's own wheels by file (never a same-named package from an index), then the
    # example project's third-party dependencies from the index (uv's cache first).
    ours = [str(path) for name in HARNESS_DISTS for path in wheels.glob(f"{name}-*.whl")]
    install = ("uv", "pip", "install", "-q", f"--python={venv}")
    session.run(*install, *ours, external=True)
    shutil.copytree(
        OUTSIDE_PROJECT, project, ignore=shutil.ignore_patterns("__pycache__", "reports")
    )
    session.run(*install, "-r", str(project / "pyproject.toml"), "--extra", "test", external=True)
    bin_dir = venv / "bin"
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(venv),
        # A stack of its own, never a shared one: the session stops it at the end.
        "ONEX_STATE_DIR": str(work / "state"),
        "ONEX_RUN_DIR": str(work / "run"),
        # `auto` would pick compose wherever an engine runs; ONEX_ADOPTION_BACKEND=auto tries it.
        "ONEX_SERVICES_BACKEND": os.environ.get("ONEX_ADOPTION_BACKEND") or "process",
    }
    onex = str(bin_dir / "onex")
    with session.chdir(project):
        session.run(onex, "init", "--check", env=env, external=True)
        session.run(onex, "services", "install", env=env, external=True)
        session.run(onex, "run", "scenarios/unit", env=env, external=True)
        session.run(onex, "services", "start", env=env, external=True)
        try:
            session.run(onex, "run", "scenarios/integration", "scenarios/mixed", env=env,
                        external=True)  # fmt: skip
            # The project's tests, and its scenarios as pytest items (the real ones ran above).
            session.run(str(bin_dir / "pytest"), "-n", "2", "-p", "no:cacheprovider", "tests",
                        "scenarios/unit", env=env, external=True)  # fmt: skip
        finally:
            session.run(onex, "services", "stop", "--force", env=env, external=True)
    # `onex init && onex run` in an empty folder: the scaffold passes at once.
    empty = work / "empty"
    session.run(onex, "init", str(empty), env=env, external=True)
    with session.chdir(empty):
        session.run(onex, "run", env=env, external=True)
    shutil.rmtree(work, ignore_errors=True)


@nox.session(python=PYTHON, tags=["ci", "tier"])
def compose(session: nox.Session) -> None:
    """Compose tier: the same real contract tests and scenarios as `integration`, on the docker
    compose backend with locally built images (engine, compose plugin and images are set up when
    missing); skipped with the reason where no Docker engine can run."""
    owner = _docker_ready(session)
    try:
        # Every kind's local image; the compose backend runs a kind's local image once it
        # exists (unless ONEX_IMAGE_<KIND> names another), so no kind is named here.
        session.run("python", "-m", "onex_services.images", "build")
        with _service_stack(session, "nox-compose", backend="compose"):
            # Every kind runs here: a container where it has a compose service, else a
            # process beside the containers (the fourth-kind test's echo server).
            paths = (*_package_tests(), "scenarios/integration")
            _run_pytest(session, "integration or compose", *paths)
    finally:
        session.run("python", "-m", "onex_services.images", "engine-stop", owner)
