"""What the pytest plugin keeps per session, made on first need: the project's settings, the
mode resolver, the scenario runner and its event loop, and the scenario behind the fixtures'
tools. Imported by the plugin's hooks and fixtures only when a run needs the harness (see the
plugin's docstring), so what this imports is not paid by runs that do not."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from onex_registry import RegistryResolver
from onex_registry.errors import InvalidDependencyModeError
from onex_registry.factories import discover_factories
from onex_scenario import DependencyModeEnum, ScenarioConfigModel
from onex_scenario.project_settings import (
    ProjectSettings,
    ProjectSettingsError,
    load_project_settings,
)
from onex_services.catalog import all_kinds

from onex_runner.engine import RunOptions, ScenarioRunner
from onex_runner.pytest_plugin import LOOP, RESOLVER, RUNNER, SETTINGS


def settings(config: pytest.Config) -> ProjectSettings:
    """[tool.onex] of the project pytest runs in (read once per session)."""
    if SETTINGS not in config.stash:
        try:
            config.stash[SETTINGS] = load_project_settings(Path(str(config.rootpath)))
        except ProjectSettingsError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[SETTINGS]


def options(config: pytest.Config) -> RunOptions:
    forced = config.getoption("--force-dependency-mode")
    return RunOptions(
        force_mode=DependencyModeEnum(forced) if forced else None,
        skip_preconditions=bool(config.getoption("--skip-preconditions")),
        # The command line, else ONEX_SERVICES_BACKEND, else [tool.onex] backend.
        backend=config.getoption("--onex-backend") or settings(config).backend,
    )


def resolver(config: pytest.Config) -> RegistryResolver:
    """The session's resolver: it reads the flag and ONEX_FORCE_DEPENDENCY_MODE once."""
    if RESOLVER not in config.stash:
        try:
            config.stash[RESOLVER] = RegistryResolver(
                force_mode=config.getoption("--force-dependency-mode")
            )
        except InvalidDependencyModeError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[RESOLVER]


def runner(config: pytest.Config) -> tuple[ScenarioRunner, asyncio.AbstractEventLoop]:
    if RUNNER not in config.stash:
        config.stash[RUNNER] = ScenarioRunner(options(config))
        config.stash[LOOP] = asyncio.new_event_loop()
    return config.stash[RUNNER], config.stash[LOOP]


# The fixture's tools are those of a scenario that declares one service per registered kind a
# tool factory serves (named by its kind) and no mode: mocks by default, real under a force.
def _fixture_kinds() -> list[str]:
    factories = discover_factories()
    return [kind for kind in all_kinds() if kind in factories]


def fixture_scenario(name: str) -> ScenarioConfigModel:
    return ScenarioConfigModel.model_validate(
        {
            "name": name.replace("[", "_").replace("]", "").replace("-", "_")[:60],
            "tier": "unit",
            "external_services": {kind: {"kind": kind} for kind in _fixture_kinds()},
        }
    )
