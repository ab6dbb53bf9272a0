"""The one generator of CI pipelines: GitHub Actions, GitLab CI and Jenkins files from nox sessions.

Used for this repository (pipelines/generate.py, from noxfile.py and pipelines/pipeline.toml) and
for a user's project (`onex init`, from the sessions of the noxfile it writes): the same jobs
table, the same three renderers. Every job runs one nox session (`Runner.run`, e.g. `./dev -s`
or `nox -s`), so the pipelines never copy a session's commands.

A sharded job runs as a matrix of `ONEX_SHARD=I/N` (see onex_runner.sharding). The profile
chooses what the shards run against: their own service stack each (the default), or, when it
sets `ONEX_SERVICES_BACKEND=external`, one shared external cluster whose endpoints come from the
CI system's secrets (SHARED_ENDPOINTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from onex_runner.pipeline_nightly import (
    GITLAB_ARTIFACTS,
    Nightly,
    NightlyConfigError,
    github_job,
    github_triggers,
    gitlab_job,
    jenkins_stage,
    jenkins_triggers,
    load_nightly,
)

TARGET_PATHS = {
    "github": Path(".github") / "workflows" / "ci.yml",
    "gitlab": Path(".gitlab-ci.yml"),
    "jenkins": Path("Jenkinsfile"),
}
"""Where each pipeline file goes, relative to the project root."""

SHIPPED_BY = "onex-services"
"""The distribution whose service kinds a shared cluster provides (a test package's kind, such as
the echo kind of the fourth-kind test, is installed in development but is no part of CI)."""


def shared_endpoints() -> tuple[str, ...]:
    """The external backend's endpoint variables, read from CI secrets by a shared-cluster
    profile: one per service kind the harness ships (its vocabulary's endpoint variable)."""
    from onex_scenario.vocabulary import KIND_ENTRY_POINTS, vocabularies

    shipped = {
        entry.name
        for entry in entry_points(group=KIND_ENTRY_POINTS)
        if entry.dist is not None and entry.dist.name == SHIPPED_BY
    }
    found = (
        vocabulary.endpoint_env for name, vocabulary in vocabularies().items() if name in shipped
    )
    return tuple(name for name in found if name is not None)


SHARED_ENDPOINTS = shared_endpoints()


@dataclass(frozen=True)
class Runner:
    """How a job runs its session: `run` + the session's name, after the `setup` commands; the
    `header` comment that marks each file as generated."""

    header: str
    run: str = "./dev -s"
    setup: tuple[str, ...] = ()
    apt_packages: str = "default-jre-headless maven golang-go sudo"
    """What GitLab's image installs first, and why (`apt_why`)."""
    apt_why: str = "Java for the Kafka broker, Maven to fetch its jars, Go for actionlint."


@dataclass(frozen=True)
class Topology:
    """What the pipelines are written for: the profile every job exports (none: no
    ONEX_PROFILE) and whether the service jobs share one external cluster (the profile sets
    ONEX_SERVICES_BACKEND=external) or each start a stack of their own."""

    profile: str | None
    shared: bool


class PipelineConfigError(Exception):
    pass


def read_profile(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a profile (as `./dev` sources them); comments and blanks skipped."""
    if not path.is_file():
        raise PipelineConfigError(f"{path}: no such profile")
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        key, sep, value = text.partition("=")
        if not sep or not key.strip().isidentifier():
            raise PipelineConfigError(f"{path}:{number}: expected KEY=VALUE, got {text!r}")
        values[key.strip()] = value.strip().strip('"')
    return values


@dataclass(frozen=True)
class Job:
    session: str
    description: str
    stage: str
    services: bool
    shards: int
    needs_go: bool
    docker: bool
    own_stack: bool  # starts stacks of its own whatever the profile (compose, reliability)

    def shares_cluster(self, where: Topology) -> bool:
        return where.shared and self.services and not self.own_stack

    def shard_names(self) -> list[tuple[str, int | None]]:
        """Jenkins' unrolled matrix: one stage per shard, numbered from 1 like ONEX_SHARD."""
        if self.shards <= 1:
            return [(self.session, None)]
        return [(f"{self.session}-{i}-of-{self.shards}", i) for i in range(1, self.shards + 1)]


def load_jobs(
    config: dict[str, object], sessions: list[dict[str, object]], source: str = "pipeline.toml"
) -> list[Job]:
    """The jobs of `config` (`[jobs.<session>]` tables), checked against the nox sessions:
    every session tagged "ci" is a job and every job such a session. `source` names the
    config in messages."""
    by_name = {str(s["name"]): s for s in sessions}
    configured = config.get("jobs")
    if not isinstance(configured, dict):
        raise PipelineConfigError(f"{source}: expected a [jobs.<session>] table per job")
    unknown = sorted(set(configured) - set(by_name))
    if unknown:
        raise PipelineConfigError(f"{source}: jobs {unknown} name no nox session tagged 'ci'")
    ci_sessions = {name for name, s in by_name.items() if "ci" in list(s.get("tags") or [])}  # type: ignore[call-overload]
    missing = sorted(ci_sessions - set(configured))
    if missing:
        raise PipelineConfigError(
            f"nox sessions tagged 'ci' have no pipeline job: {missing}; "
            f"add [jobs.<name>] to {source}"
        )
    jobs = []
    for name, settings in configured.items():
        if not isinstance(settings, dict):
            raise PipelineConfigError(f"{source}: [jobs.{name}] must be a table")
        jobs.append(
            Job(
                session=name,
                description=str(by_name[name].get("description") or name),
                stage=str(settings.get("stage", "test")),
                services=bool(settings.get("services", False)),
                shards=int(settings.get("shards", 1)),
                needs_go=bool(settings.get("needs_go", False)),
                docker=bool(settings.get("docker", False)),
                own_stack=bool(settings.get("own_stack", settings.get("docker", False))),
            )
        )
    return jobs


def profile_of(config: dict[str, object]) -> str:
    """The `[defaults] profile` of a config ("" when none)."""
    defaults = config.get("defaults", {})
    assert isinstance(defaults, dict)
    return str(defaults.get("profile", ""))


def _nightly(jobs: list[Job], config: dict[str, object]) -> list[Nightly]:
    try:
        return load_nightly(config, {job.session for job in jobs}, "pipeline.toml")
    except NightlyConfigError as exc:
        raise PipelineConfigError(str(exc)) from None


def github(jobs: list[Job], config: dict[str, object], where: Topology, runner: Runner) -> str:
    defaults = config["defaults"]
    assert isinstance(defaults, dict)
    nightly = _nightly(jobs, config)
    lines = [
        f"# {runner.header}",
        "name: ci",
        "on:",
        "  push:",
        "  pull_request:",
        *github_triggers(nightly),
        *(("env:", f"  ONEX_PROFILE: {where.profile}") if where.profile else ()),
        "jobs:",
    ]
    for job in jobs:
        sharded = job.shards > 1
        shared = job.shares_cluster(where)
        lines += [
            f"  {job.session}:",
            f"    # {job.description}",
            f"    name: {job.session}"
            + (f" ${{{{ matrix.shard }}}}/{job.shards}" if sharded else ""),
            "    runs-on: ubuntu-latest",
            "    timeout-minutes: 30",
        ]
        if sharded:
            lines += [
                "    strategy:",
                "      fail-fast: false",
                "      matrix:",
                f"        shard: [{', '.join(str(i) for i in range(1, job.shards + 1))}]",
            ]
        env: dict[str, str] = {}
        if sharded:
            env["ONEX_SHARD"] = f"${{{{ matrix.shard }}}}/{job.shards}"
        if sharded or shared:
            # A namespace of its own per shard and attempt: a re-run never meets its leftovers.
            shard = "s${{ matrix.shard }}" if sharded else ""
            env["ONEX_RUN_ID"] = f"gh${{{{ github.run_id }}}}a${{{{ github.run_attempt }}}}{shard}"
        if shared:
            env.update({name: f"${{{{ secrets.{name} }}}}" for name in SHARED_ENDPOINTS})
        if env:
            lines.append("    env:")
            lines += [f"      {k}: {v}" for k, v in env.items()]
        lines += [
            "    steps:",
            "      - uses: actions/checkout@v4",
            "      - uses: actions/setup-python@v5",
            "        with:",
            f'          python-version: "{defaults["python"]}"',
        ]
        if job.services and not shared:
            lines += [
                "      - uses: actions/setup-java@v4",
                "        with:",
                "          distribution: temurin",
                f'          java-version: "{defaults["java"]}"',
            ]
        if job.needs_go:
            lines += [
                "      - uses: actions/setup-go@v5",
                "        with:",
                "          go-version: stable",
            ]
        # Service tiers install PostgreSQL and Redis with apt and run them as another user.
        run = (
            f'sudo -E env PATH="$PATH" {runner.run} {job.session}'
            if job.services and not shared
            else f"{runner.run} {job.session}"
        )
        lines += [f"      - run: {command}" for command in runner.setup]
        artifact = f"reports-{job.session}" + ("-${{ matrix.shard }}" if sharded else "")
        lines += [
            f"      - name: nox -s {job.session}",
            f"        run: {run}",
            "      - uses: actions/upload-artifact@v4",
            "        if: failure()",
            "        with:",
            f"          name: {artifact}",
            "          path: reports/",
        ]
    for scheduled in nightly:
        setup = list(runner.setup)
        lines += github_job(scheduled, runner.run, setup, defaults["python"], defaults["java"])
    return "\n".join(lines) + "\n"


def gitlab(jobs: list[Job], config: dict[str, object], where: Topology, runner: Runner) -> str:
    defaults = config["defaults"]
    assert isinstance(defaults, dict)
    stages = list(dict.fromkeys(job.stage for job in jobs))
    lines = [
        f"# {runner.header}",
        "stages:",
        *[f"  - {stage}" for stage in stages],
        "",
        "default:",
        f"  image: python:{defaults['python']}-bookworm",
        "  before_script:",
        f"    # {runner.apt_why}",
        "    - apt-get update -qq && apt-get install -y -qq --no-install-recommends "
        f"{runner.apt_packages}",
        "",
        *(("variables:", f"  ONEX_PROFILE: {where.profile}", "") if where.profile else ()),
    ]
    for job in jobs:
        lines += [f"{job.session}:", f"  stage: {job.stage}"]
        if job.docker:
            lines += ["  tags:", "    - docker"]
        if job.shards > 1:
            lines += [f"  parallel: {job.shards}"]
        if job.shares_cluster(where):
            # The shared cluster's endpoints are masked CI/CD variables of the project.
            lines += [f"  # needs CI/CD variables {', '.join(SHARED_ENDPOINTS)}"]
        lines += ["  script:"]
        if job.shards > 1:
            lines += [
                "    - export ONEX_SHARD=${CI_NODE_INDEX}/${CI_NODE_TOTAL}",
                "    - export ONEX_RUN_ID=gl${CI_JOB_ID}s${CI_NODE_INDEX}",
            ]
        lines += [
            *(f"    - {command}" for command in runner.setup),
            f"    - {runner.run} {job.session}",
            *GITLAB_ARTIFACTS,
        ]
    stage_of = {job.session: job.stage for job in jobs}
    for scheduled in _nightly(jobs, config):
        lines += gitlab_job(scheduled, stage_of[scheduled.session], runner.run, list(runner.setup))
    return "\n".join(lines)


def jenkins(jobs: list[Job], config: dict[str, object], where: Topology, runner: Runner) -> str:
    stages = list(dict.fromkeys(job.stage for job in jobs))
    nightly = _nightly(jobs, config)
    out = [
        f"// {runner.header}",
        "pipeline {",
        "    agent any",
        "    options {",
        "        timeout(time: 60, unit: 'MINUTES')",
        "    }",
        *jenkins_triggers(nightly),
        *_jenkins_environment(where),
        "    stages {",
    ]
    for stage in stages:
        out += [f"        stage('{stage}') {{", "            parallel {"]
        for job in (j for j in jobs if j.stage == stage):
            for name, shard in job.shard_names():
                out.append(f"                stage('{name}') {{")
                if job.docker:
                    out.append("                    agent { label 'docker' }")
                if shard is not None:
                    out += [
                        "                    environment {",
                        f"                        ONEX_SHARD = '{shard}/{job.shards}'",
                        f'                        ONEX_RUN_ID = "jk${{env.BUILD_NUMBER}}s{shard}"',
                        "                    }",
                    ]
                out += [
                    "                    steps {",
                    *(f"                        sh '{command}'" for command in runner.setup),
                    f"                        sh '{runner.run} {job.session}'",
                    "                    }",
                    "                }",
                ]
        out += ["            }", "        }"]
    for scheduled in nightly:
        out += jenkins_stage(scheduled, runner.run, list(runner.setup))
    out += [
        "    }",
        "    post {",
        "        always {",
        "            junit allowEmptyResults: true, testResults: 'reports/junit-*.xml'",
        "        }",
        "        failure {",
        "            archiveArtifacts artifacts: 'reports/**', allowEmptyArchive: true",
        "        }",
        "    }",
        "}",
    ]
    return "\n".join(out) + "\n"


def _jenkins_environment(where: Topology) -> list[str]:
    """The pipeline's environment block; none when it would be empty (Jenkins refuses that)."""
    variables = [
        *((f"        ONEX_PROFILE = '{where.profile}'",) if where.profile else ()),
        *(
            f"        {name} = credentials('{name.lower().replace('_', '-')}')"
            for name in (SHARED_ENDPOINTS if where.shared else ())
        ),
    ]
    return ["    environment {", *variables, "    }"] if variables else []


def render(
    jobs: list[Job], config: dict[str, object], where: Topology, runner: Runner
) -> dict[str, str]:
    """The three files' text by target name (see TARGET_PATHS)."""
    return {
        "github": github(jobs, config, where, runner),
        "gitlab": gitlab(jobs, config, where, runner),
        "jenkins": jenkins(jobs, config, where, runner),
    }
