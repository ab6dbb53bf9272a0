"""`@pytest.mark.onex_state("orders_seed")`: the test's `onex_test_namespace` starts from a
seeded state instead of empty (part of the services' pytest plugin; see docs/state.md, "Seeded
states per test").

The states are read from a states file (`onex_scenario.states_file`): the marker's `file=`
(relative to the test's file), else the `onex_states` setting of the pytest configuration
(relative to its file). Each state is prepared once per process and copied into every test that
starts from it (`namespace_seeds`); a bad file, an unknown state or a state the namespace cannot
hold fails the test with the reason, not a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from onex_scenario.models import ModelSeededState

    from onex_services.models import ServiceKind
    from onex_services.namespace_pool import NamespacePool, ScopedNamespace
    from onex_services.namespace_seeds import NamespaceSeeds

    Seeds = dict[tuple[ServiceKind, ...], NamespaceSeeds]

MARKER = "onex_state"
INI = "onex_states"
MARKER_HELP = (
    f"{MARKER}(name, file=None): onex_test_namespace starts from the seeded state `name` of a "
    f"states file (file= relative to the test, else the `{INI}` setting)"
)
_FILES: pytest.StashKey[dict[Path, dict[str, ModelSeededState]]] = pytest.StashKey()


def states_file(item: pytest.Item, marker: pytest.Mark) -> Path:
    """The states file a marker means."""
    given = marker.kwargs.get("file")
    if given is not None:
        return (Path(str(item.path)).parent / str(given)).resolve()
    setting = str(item.config.getini(INI) or "")
    if not setting:
        pytest.fail(
            f"{item.nodeid}: @pytest.mark.{MARKER} names no states file: give file=... or set "
            f"`{INI}` in the pytest configuration",
            pytrace=False,
        )
    base = item.config.inipath.parent if item.config.inipath else item.config.rootpath
    return (base / setting).resolve()


def _states(config: pytest.Config, path: Path) -> dict[str, ModelSeededState]:
    from onex_scenario.errors import ScenarioValidationError
    from onex_scenario.states_file import load_states_file

    loaded = config.stash.setdefault(_FILES, {})
    if path not in loaded:
        try:
            loaded[path] = load_states_file(path)
        except ScenarioValidationError as exc:
            pytest.fail(f"states file {path}:\n{exc}", pytrace=False)
    return loaded[path]


@dataclass(frozen=True)
class ChosenState:
    """The seeded state a test starts from: its name, the file it is in, and the state."""

    name: str
    path: Path
    state: ModelSeededState

    @property
    def key(self) -> str:
        return f"{self.path}:{self.name}"


def chosen_state(request: pytest.FixtureRequest) -> ChosenState | None:
    """The state of the test's marker, read and checked (None: not marked); a problem fails the
    test before any service is asked for."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    if len(marker.args) != 1 or not isinstance(marker.args[0], str):
        pytest.fail(
            f"{request.node.nodeid}: @pytest.mark.{MARKER} takes one state name, "
            f"e.g. {MARKER}('orders_seed')",
            pytrace=False,
        )
    name = marker.args[0]
    path = states_file(request.node, marker)
    states = _states(request.config, path)
    if name not in states:
        pytest.fail(
            f"{request.node.nodeid}: state {name!r} is not in {path} "
            f"(it has: {', '.join(sorted(states))})",
            pytrace=False,
        )
    return ChosenState(name, path, states[name])


def seed(
    request: pytest.FixtureRequest,
    chosen: ChosenState,
    pool: NamespacePool,
    seeds: Seeds,
    kinds: tuple[ServiceKind, ...],
    namespace: ScopedNamespace,
) -> dict[str, str]:
    """Put the chosen state into `namespace`; what was done per kind."""
    from onex_services.namespace_seeds import NamespaceSeeds, SeedError
    from onex_services.pytest_fixtures import _holder

    holder: Any = _holder(request.config)
    if kinds not in seeds:
        urls = {kind: endpoint.url for kind, endpoint in pool.endpoints.items()}
        seeds[kinds] = NamespaceSeeds(urls, lambda: holder.manager.store)
    try:
        return pool.run(seeds[kinds].apply(chosen.key, chosen.name, chosen.state, namespace.name))
    except SeedError as exc:
        pytest.fail(f"{request.node.nodeid}: {exc}", pytrace=False)
