"""A step type is one handler: a package adds an action through the entry-point group
`onex.step_handlers`, and scenarios use it with no change to the harness.

The plugin here is a real installed distribution as far as `importlib.metadata` can tell: a
module and a `.dist-info` folder with its `entry_points.txt`, put on `sys.path`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from onex_runner import OutcomeEnum, PreConditionStatusEnum, RunOptions, ScenarioRunner
from onex_runner.handler_registry import HandlerRegistry, HandlerRegistryError
from onex_runner.step_api import StepContext, StepHandler, StepOutcome
from onex_scenario import ScenarioValidationError
from onex_scenario.loader import ScenarioLoader
from onex_scenario.steps import known_step_actions
from pydantic import BaseModel

pytestmark = pytest.mark.unit

PLUGIN = '''
from pydantic import BaseModel, ConfigDict

from onex_runner.step_api import StepContext, StepHandler, StepOutcome


class WordsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    store_as: str | None = None
    repeat: int = 1


class CountWords(StepHandler[WordsSpec]):
    """Counts the words of `text`; with `store_as`, writes the count to the run's key store."""

    action = "count_words"
    model = WordsSpec

    async def run(self, spec: WordsSpec, ctx: StepContext) -> StepOutcome:
        assert isinstance(spec, WordsSpec)  # a typed model, never a dict
        words = len(spec.text.split()) * spec.repeat
        if spec.store_as:
            await ctx.registry.kv_store.set(spec.store_as, str(words))
        return StepOutcome(
            output={"words": words, "spec": type(spec).__name__, "namespace": ctx.namespace},
            fields={"words": words},
        )
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "onex_words_plugin.py").write_text(PLUGIN)
    info = site / "onex_words_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: onex-words-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[onex.step_handlers]\ncount_words = onex_words_plugin:CountWords\n"
    )
    monkeypatch.syspath_prepend(str(site))
    return site


def _scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "scenario_words.yaml"
    path.write_text(textwrap.dedent(body))
    return path


async def _run(path: Path, runner: ScenarioRunner | None = None) -> Any:
    runner = runner or ScenarioRunner(RunOptions())
    try:
        return await runner.run(ScenarioLoader().load(path))
    finally:
        await runner.close()


WORDS = """
    name: words
    tier: unit
    external_services: {cache: {kind: redis}}
    steps:
      - id: first
        count_words: {text: "one two three", store_as: count}
      - id: again
        count_words: {text: "${steps.first.words} more", repeat: "${steps.first.words}"}
    expect:
      - output: {step: first, value: {words: 3, spec: WordsSpec}}
      - output: {step: again, value: {words: 6}}
      - key: {key: count, value: 3}
"""


async def test_a_package_adds_a_step_action_through_the_entry_point(
    plugin: Path, tmp_path: Path
) -> None:
    result = await _run(_scenario(tmp_path, WORDS))
    assert result.outcome is OutcomeEnum.PASSED, result.message
    assert [s.action for s in result.steps] == ["count_words", "count_words"]
    assert result.steps[0].output["namespace"] == result.namespace
    # References are resolved before the spec is validated: "${...}" became the int 3.
    assert result.steps[1].input == {"text": "3 more", "store_as": None, "repeat": 3}
    assert [e.outcome for e in result.expectations] == [OutcomeEnum.PASSED] * 3


async def test_a_packages_spec_is_checked_by_its_model(plugin: Path, tmp_path: Path) -> None:
    path = _scenario(
        tmp_path,
        """
        name: words
        tier: unit
        steps:
          - id: bad
            count_words: {text: 3, colour: blue}
        """,
    )
    result = await _run(path)
    assert result.outcome is OutcomeEnum.ERROR
    assert "invalid count_words spec" in result.message
    assert "colour" in result.message
    assert "text" in result.message


def test_without_the_package_the_action_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioValidationError) as raised:
        ScenarioLoader().load(_scenario(tmp_path, WORDS))
    message = str(raised.value)
    assert "steps[0]: a step needs id and one of call, publish," in message
    # The built-in actions, then those installed packages add (onex-runner's connector steps).
    assert f"{', '.join(known_step_actions())}; found none" in message
    assert "(unknown key 'count_words'" in message


def test_with_the_package_validation_lists_its_action(plugin: Path, tmp_path: Path) -> None:
    path = _scenario(tmp_path, "name: w\ntier: unit\nsteps: [{id: x, cuont_words: {}}]\n")
    with pytest.raises(ScenarioValidationError, match="count_words"):
        ScenarioLoader().load(path)


async def test_a_fault_step_with_an_unknown_action_fails_naming_the_known_ones(
    tmp_path: Path,
) -> None:
    path = _scenario(
        tmp_path,
        """
        name: faulty
        tier: unit
        external_services: {kafka: {kind: kafka}}
        steps:
          - id: cut
            fault: {target: kafka, action: partition, for: 1s}
        """,
    )
    result = await _run(path)
    assert result.outcome is OutcomeEnum.ERROR
    assert "no fault handler is registered for action 'partition' (registered: " in result.message
    assert "down, heal, kill, latency" in result.message
    # Refused at plan time: no pre-condition ran, no tool was built, no step ran.
    assert result.preconditions.status is PreConditionStatusEnum.NOT_CHECKED
    assert (result.tools, result.steps) == ([], [])


class _Echo(BaseModel):
    said: str


class EchoStep(StepHandler[_Echo]):
    action = "echo"
    model = _Echo

    async def run(self, spec: _Echo, ctx: StepContext) -> StepOutcome:
        return StepOutcome(output=spec.said)


def test_two_handlers_for_one_action_are_an_error() -> None:
    registry = HandlerRegistry.from_entry_points()

    class OtherCall(EchoStep):
        action = "call"

    with pytest.raises(HandlerRegistryError, match="step action 'call' has two handlers"):
        registry.register_step(OtherCall())


def test_the_builtin_actions_come_from_onex_runners_entry_points() -> None:
    registry = HandlerRegistry.from_entry_points()
    assert {"call", "publish", "wait", "expect_event", "expect_row", "expect_key"} <= set(
        registry.step_actions
    )
    assert "fault" in registry.step_actions
    assert {"kill", "pause", "resume", "restart"} <= set(registry.faults)
    for kind in ("output", "event", "row", "key"):
        registry.expectation(kind)


def test_an_entry_point_that_is_no_handler_is_named(tmp_path: Path, plugin: Path) -> None:
    (plugin / "onex_words_plugin-0.1.dist-info" / "entry_points.txt").write_text(
        "[onex.step_handlers]\nwords = onex_words_plugin:WordsSpec\n"
    )
    with pytest.raises(HandlerRegistryError, match="entry point words = onex_words_plugin"):
        HandlerRegistry.from_entry_points()
