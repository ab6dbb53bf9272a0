"""Scheduled jobs of the generated pipelines: a `ci` session run again on a timer with settings
of its own, e.g. the integration tier against the production-like broker (docs/services.md).

```toml
[nightly.integration-production-like]
session = "integration"                      # a job of [jobs]: same setup, same command
cron = "17 3 * * *"
env = { ONEX_KAFKA_PROFILE = "production-like" }
```

GitHub runs it from a `schedule:` trigger of the same workflow, GitLab from a pipeline schedule
(set one up in the project's CI/CD settings; the job runs only in scheduled pipelines), Jenkins
from a `cron` trigger (the stage runs only when the timer started the build).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_CRON = re.compile(r"^\S+( \S+){4}$")


# What every GitLab job keeps: the reports folder, and the JUnit files as its test report.
GITLAB_ARTIFACTS = (
    "  artifacts:",
    "    when: always",
    "    paths:",
    "      - reports/",
    "    reports:",
    "      junit: reports/junit-*.xml",
    "",
)


class NightlyConfigError(ValueError):
    """A [nightly.<name>] table the generator cannot use; the message names it."""


@dataclass(frozen=True)
class Nightly:
    name: str
    session: str
    cron: str
    env: dict[str, str]


def load_nightly(config: dict[str, object], sessions: set[str], source: str) -> list[Nightly]:
    """The `[nightly.<name>]` tables of `config`; each names a session that is a job."""
    tables = config.get("nightly", {})
    if not isinstance(tables, dict):
        raise NightlyConfigError(f"{source}: [nightly] must hold [nightly.<name>] tables")
    found = []
    for name, table in tables.items():
        where = f"{source}: [nightly.{name}]"
        if not isinstance(table, dict) or not _NAME.fullmatch(str(name)):
            raise NightlyConfigError(f"{where}: a table with a lower-case, dashed name")
        session, cron, env = table.get("session"), table.get("cron"), table.get("env", {})
        if session not in sessions:
            raise NightlyConfigError(f"{where}: session {session!r} is not a job of [jobs]")
        if not isinstance(cron, str) or not _CRON.fullmatch(cron):
            raise NightlyConfigError(f'{where}: cron must be five fields, e.g. "17 3 * * *"')
        if not isinstance(env, dict) or not all(
            _ENV_NAME.fullmatch(str(k)) and isinstance(v, str) and "'" not in v
            for k, v in env.items()
        ):
            raise NightlyConfigError(f"{where}: env maps NAMES to text without quotes")
        found.append(Nightly(str(name), str(session), cron, {str(k): v for k, v in env.items()}))
    return found


def github_triggers(nightly: list[Nightly]) -> list[str]:
    if not nightly:
        return []
    return ["  schedule:", *(f"    - cron: '{job.cron}'" for job in nightly)]


def github_job(job: Nightly, run: str, setup: list[str], python: str, java: str) -> list[str]:
    return [
        f"  {job.name}:",
        f"    # {job.session}, on the timer ({job.cron}), with {_described(job)}",
        f"    name: {job.name}",
        f"    if: github.event_name == 'schedule' && github.event.schedule == '{job.cron}'",
        "    runs-on: ubuntu-latest",
        "    timeout-minutes: 30",
        "    env:",
        *(f"      {name}: {value}" for name, value in job.env.items()),
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-python@v5",
        "        with:",
        f'          python-version: "{python}"',
        "      - uses: actions/setup-java@v4",
        "        with:",
        "          distribution: temurin",
        f'          java-version: "{java}"',
        *(f"      - run: {command}" for command in setup),
        f"      - name: nox -s {job.session}",
        f'        run: sudo -E env PATH="$PATH" {run} {job.session}',
        "      - uses: actions/upload-artifact@v4",
        "        if: failure()",
        "        with:",
        f"          name: reports-{job.name}",
        "          path: reports/",
    ]


def gitlab_job(job: Nightly, stage: str, run: str, setup: list[str]) -> list[str]:
    return [
        f"{job.name}:",
        f"  # {job.session} in a scheduled pipeline ({job.cron}), with {_described(job)}",
        f"  stage: {stage}",
        "  rules:",
        '    - if: $CI_PIPELINE_SOURCE == "schedule"',
        "  variables:",
        *(f'    {name}: "{value}"' for name, value in job.env.items()),
        "  script:",
        *(f"    - {command}" for command in setup),
        f"    - {run} {job.session}",
        *GITLAB_ARTIFACTS,
    ]


def jenkins_triggers(nightly: list[Nightly]) -> list[str]:
    if not nightly:
        return []
    crons = "\\n".join(job.cron for job in nightly)
    return ["    triggers {", f"        cron('{crons}')", "    }"]


def jenkins_stage(job: Nightly, run: str, setup: list[str]) -> list[str]:
    return [
        f"        stage('{job.name}') {{",
        "            when { triggeredBy 'TimerTrigger' }",
        "            environment {",
        *(f"                {name} = '{value}'" for name, value in job.env.items()),
        "            }",
        "            steps {",
        *(f"                sh '{command}'" for command in setup),
        f"                sh '{run} {job.session}'",
        "            }",
        "        }",
    ]


def _described(job: Nightly) -> str:
    return ", ".join(f"{name}={value}" for name, value in job.env.items()) or "its own settings"
