"""The scenario model: what a valid file gives, and the message of each kind of mistake."""

from __future__ import annotations

import pytest
from onex_scenario import (
    DependencyModeEnum,
    MatchModeEnum,
    ModelCallStep,
    ModelExpectEventStep,
    ModelExpectOutput,
    ModelPublishStep,
    ScenarioConfigModel,
    TierEnum,
    load_scenario,
    step_action,
)
from onex_scenario.models import ModelTimeoutProfile
from onex_scenario.modes import plan_modes
from onex_scenario.steps import known_step_actions
from onex_scenario.vocabulary import known_kinds_text
from pydantic import ValidationError

from conftest import DATA, SHIPPED_BASES, Tree

pytestmark = pytest.mark.unit


def test_the_design_sample_loads_with_modes_per_service() -> None:
    scenario = load_scenario(
        DATA / "mixed" / "order_accepted.yaml", environ={}, base_dirs=[SHIPPED_BASES]
    )
    assert scenario.tier is TierEnum.MIXED
    assert scenario.dependency_mode is DependencyModeEnum.MOCK
    assert plan_modes(scenario).mode("kafka") is DependencyModeEnum.REAL
    assert plan_modes(scenario).mode("postgres") is DependencyModeEnum.MOCK
    assert [step_action(step) for step in scenario.steps] == ["publish", "call", "expect_event"]
    accepted = scenario.steps[2]
    assert isinstance(accepted, ModelExpectEventStep)
    assert accepted.expect_event.within == 5.0
    assert accepted.expect_event.match is MatchModeEnum.PARTIAL
    assert accepted.expect_event.correlation_id == "${steps.place.correlation_id}"
    assert accepted.expect_event.value_given
    assert isinstance(scenario.expect[0], ModelExpectOutput)
    assert scenario.resources.kafka.topics[0].partitions == 3
    assert scenario.resources.postgres.schema_file == str(DATA / "sql" / "orders.sql")
    assert scenario.resources.postgres.seed == (str(DATA / "sql" / "orders_seed.sql"),)
    assert scenario.timeouts("kafka").health_check == 5.0
    assert scenario.timeouts("kafka").consume == 10.0  # from base:kafka_real
    assert scenario.cleanup_after is True


def test_defaults_of_a_minimal_scenario(tree: Tree) -> None:
    tree.write("x.yaml", "name: minimal\ntier: unit\n")
    scenario = tree.load("x.yaml")
    assert scenario.dependency_mode is DependencyModeEnum.MOCK
    assert scenario.cleanup_after is True
    assert scenario.skip_if_services_unavailable is False
    assert scenario.steps == ()
    assert scenario.node is None
    assert scenario.timeouts("anything") == ModelTimeoutProfile()


def test_the_tier_comes_from_the_folder_when_absent(tree: Tree) -> None:
    tree.write(
        "integration/x.yaml",
        "name: x\nexternal_services: {kafka: {kind: kafka}}\ndependency_mode: real\n",
    )
    assert tree.load("integration/x.yaml").tier is TierEnum.INTEGRATION


def test_a_tier_is_required_outside_tier_folders(tree: Tree) -> None:
    tree.write("other/x.yaml", "name: x\n")
    assert tree.messages("other/x.yaml") == [
        "tier: required key 'tier' is missing; set tier: unit, integration, mixed or e2e, "
        "or put the file in a folder named after its tier"
    ]


def test_a_tier_that_contradicts_its_folder_is_refused(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        "name: x\ntier: e2e\nexternal_services: {k: {kind: kafka}}\ndependency_mode: real\n",
    )
    assert tree.messages("unit/x.yaml") == [
        "tier: tier 'e2e' contradicts the folder 'unit/' the file is in; "
        "move the file or fix the tier"
    ]


def test_unknown_keys_suggest_the_nearest_valid_key(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: x
        nodee: a.b:C
        external_services:
          kafka: {kind: kafka, conection: {}}
        steps:
          - {id: a, publish: {topic: t, vlaue: 1}}
        resources: {kafka: {topics: [{name: t, partitons: 2}]}}
        zzz: 1
        """,
    )
    assert tree.messages("unit/x.yaml") == [
        "nodee: unknown key 'nodee'; did you mean 'node'?",
        "external_services.kafka.conection: unknown key 'conection'; did you mean 'connection'?",
        "steps[0].publish.vlaue: unknown key 'vlaue'; did you mean 'value'?",
        "resources.kafka.topics[0].partitons: unknown key 'partitons'; did you mean 'partitions'?",
        "zzz: unknown key 'zzz'; valid keys: extends, name, description, tags, tier, "
        "dependency_mode, node, external_services, app, skip_if_services_unavailable, "
        "timeout_profiles, cleanup_after, isolation, limits, servers, resources, steps, expect, "
        "metadata, "
        "compare_ignore, snapshot, strict_resources, states, start_from, on_failure",
    ]


def test_unknown_keys_point_at_the_key(tree: Tree) -> None:
    path = tree.write("unit/x.yaml", "name: x\nsteps:\n  - id: a\n    call: run\n    extra: 1\n")
    (issue,) = tree.issues("unit/x.yaml")
    assert str(issue).startswith(f"{path}:5:5: steps[0].extra: unknown key 'extra'")


def test_wrong_types_and_values_say_what_was_expected(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: [x]
        dependency_mode: sometimes
        cleanup_after: maybe
        external_services:
          kafka: {kind: kafak}
          "bad name": {kind: redis}
        resources: {kafka: {topics: [{name: t, partitions: many}, {name: u, partitions: 0}]}}
        tags: notalist
        """,
    )
    assert tree.messages("unit/x.yaml") == [
        "name: expected a valid string, got a list",
        "dependency_mode: expected 'real' or 'mock', got 'sometimes'",
        "cleanup_after: expected a valid boolean, unable to interpret input, got 'maybe'",
        f"external_services.kafka.kind: expected {known_kinds_text()}, "
        "got 'kafak'; did you mean 'kafka'?",
        "external_services.bad name: expected a service name of letters, digits, '_' and '-', "
        "starting with a letter, got 'bad name'",
        "resources.kafka.topics[0].partitions: expected a valid integer, unable to parse string "
        "as an integer, got 'many'",
        "resources.kafka.topics[1].partitions: expected greater than or equal to 1, got 0",
        "tags: expected a list, got 'notalist'",
    ]


def test_a_step_needs_exactly_one_action(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: x
        node: a.b:C
        steps:
          - {id: a}
          - {id: b, cal: run}
          - {id: c, call: run, publish: {topic: t}}
          - just text
        expect:
          - {outputs: {step: a}}
        """,
    )
    # The built-in actions, then those installed packages add (the runner's checkpoint, restore,
    # connector steps).
    actions = ", ".join(known_step_actions())
    assert actions.startswith(
        "call, publish, expect_event, expect_row, expect_key, wait, fault, http"
    )
    assert tree.messages("unit/x.yaml") == [
        f"steps[0]: a step needs id and one of {actions}; found none",
        f"steps[1]: a step needs id and one of {actions}; found none "
        "(unknown key 'cal'; did you mean 'call'?)",
        f"steps[2]: a step takes exactly one of {actions}; found call and publish",
        f"steps[3]: expected a step: a mapping with id and one of {actions}; got 'just text'",
        "expect[0]: an expectation needs one of output, event, row, key; found none "
        "(unknown key 'outputs'; did you mean 'output'?)",
    ]


def test_errors_inside_a_step_use_the_file_key_path(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: x
        steps:
          - {id: a, publish: {topic: "bad topic"}, timeout: soon}
          - {id: b, expect_event: {topic: t, match: fuzzy, within: -1}}
          - {id: 9b, wait: 1s}
          - {id: c, publish: {value: 1}}
        """,
    )
    assert tree.messages("unit/x.yaml") == [
        "steps[0].publish.topic: expected a topic name of 1 to 200 characters from "
        "[a-zA-Z0-9._-], without the namespace prefix (Kafka allows 249 characters, and the "
        "harness adds '<namespace>.'), got 'bad topic'",
        "steps[0].timeout: expected a duration such as 5s, 500ms, 2m, 1h or a number of "
        "seconds, got 'soon'",
        "steps[1].expect_event.match: expected 'exact', 'partial', 'contains' or 'type', "
        "got 'fuzzy'",
        "steps[1].expect_event.within: expected a duration of zero or more seconds, got -1",
        "steps[2].id: expected a step id of letters, digits, '_' and '-', starting with a "
        "letter or '_', got '9b'",
        "steps[3].publish.topic: required key 'topic' is missing",
    ]


def test_cross_field_rules(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: x
        external_services:
          kafka: {kind: kafka, connection: {url: "http://x"}}
          db: {kind: postgres, connection: {url: "mysql://x", port: 5432}}
        timeout_profiles:
          kafak: {}
          default: {}
        resources: {kafka: {topics: [{name: t}, {name: t}]}}
        steps:
          - {id: a, call: run}
          - {id: a, wait: 1s}
          - {id: f, fault: {target: kafak, action: down}}
          - {id: k, expect_key: {key: k, value: {a: strr}, match: type}}
        expect:
          - output: {step: f, value: 1}
          - output: {step: nope, value: 1}
        """,
    )
    assert tree.messages("unit/x.yaml") == [
        "external_services.kafka.connection.url: does not apply to a kafka service (valid: "
        "bootstrap_servers, security_protocol, sasl_mechanism, sasl_username, sasl_password, "
        "client_id)",
        "external_services.db.connection.url: expected a postgresql:// or postgres:// URL, "
        "got 'mysql://x'",
        "timeout_profiles.kafak: no external service 'kafak' (profiles are for: db, kafka, "
        "default); did you mean 'kafka'?",
        "resources.kafka.topics[1].name: topic 't' is listed twice",
        "steps[0].call: a call step needs `node` (the node under test) to be set",
        "steps[1].id: duplicate step id 'a' (already used by steps[0])",
        "steps[2].fault.target: no external service 'kafak'; did you mean 'kafka'?",
        "steps[3].expect_key.value: $.a: unknown type name 'strr' (known: any, array, bool, "
        "boolean, date, datetime, decimal, dict, float, int, integer, list, mapping, none, null, "
        "number, object, str, string, uuid)",
        "expect[0].output.step: step 'f' is a fault step; "
        "only call steps (and packages' own actions) have an output",
        "expect[1].output.step: no call step 'nope'",
    ]


def test_references_must_name_earlier_steps(tree: Tree) -> None:
    path = tree.write(
        "unit/x.yaml",
        """
        name: x
        node: a.b:C
        steps:
          - {id: first, call: run, args: ["${steps.second.output}"]}
          - id: second
            call: run
            kwargs: {me: "${steps.second.output}", typo: "${steps.frist.output}"}
          - id: third
            call: run
            kwargs: {bad: "${steps.}", fine: "${steps.first.output.items.0}"}
        expect:
          - event: {topic: t, correlation_id: "${steps.third.output}", key: "${steps.zzz.k}"}
        """,
    )
    issues = tree.issues("unit/x.yaml")
    assert [f"{i.key_path}: {i.message}" for i in issues] == [
        "steps[0].args[0]: ${steps.second.output}: step 'second' (steps[1]) runs after this one; "
        "a step can only use outputs of earlier steps",
        "steps[1].kwargs.me: ${steps.second.output}: a step cannot use its own outputs",
        "steps[1].kwargs.typo: ${steps.frist.output} names no step; did you mean 'first'?",
        "steps[2].kwargs.bad: malformed reference ${steps.}: expected "
        "${steps.<step id>.<field>[.<field>...]}",
        "expect[0].event.key: ${steps.zzz.k} names no step",
    ]
    assert (issues[0].file, issues[0].line, issues[0].column) == (str(path), 4, 35)


@pytest.mark.parametrize(
    ("tier", "services", "message"),
    [
        (
            "unit",
            "{k: {kind: kafka, dependency_mode: real}}",
            "external_services.k.dependency_mode: a unit scenario runs without services, but "
            "'k' is real; make it mock or move the scenario to the integration or mixed tier",
        ),
        (
            "integration",
            "{}",
            "tier: an integration scenario needs at least one external service in real mode",
        ),
        (
            "e2e",
            "{k: {kind: kafka, dependency_mode: real}, r: {kind: redis}}",
            "dependency_mode: 'r' is a mock in an e2e scenario; make it real or use tier mixed",
        ),
        (
            "mixed",
            "{k: {kind: kafka}}",
            "tier: a mixed scenario needs at least one real and one mock external service "
            "(real: none; mock: k)",
        ),
    ],
)
def test_tiers_agree_with_dependency_modes(
    tree: Tree, tier: str, services: str, message: str
) -> None:
    tree.write("x.yaml", f"name: x\ntier: {tier}\nexternal_services: {services}\n")
    assert tree.messages("x.yaml") == [message]


def test_redis_seed_values_and_retry_policy_are_checked(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: x
        external_services:
          r: {kind: redis, retry: {initial_backoff: 2s, max_backoff: 1s}}
        resources: {redis: {seed: {ok: [1, 2], bad: [1, {x: 1}]}}}
        """,
    )
    assert tree.messages("unit/x.yaml") == [
        "external_services.r.retry: max_backoff (1.0s) must not be smaller than "
        "initial_backoff (2.0s)",
        "resources.redis.seed: seed key 'bad': expected a string, number, a non-empty list of "
        "them or a non-empty mapping of them, got [1, {'x': 1}]",
    ]


def test_resource_files_must_exist_relative_to_the_file(tree: Tree) -> None:
    tree.write("sql/ok.sql", "select 1;\n")
    tree.write(
        "unit/x.yaml",
        "name: x\nresources: {postgres: {schema: ../sql/ok.sql, seed: [missing.sql]}}\n",
    )
    (message,) = tree.messages("unit/x.yaml")
    assert message == (
        f"resources.postgres.seed[0]: file not found: {tree.root / 'unit' / 'missing.sql'} "
        "(paths are relative to the file that names them)"
    )


def test_models_are_frozen_and_forbid_extra_keys() -> None:
    scenario = ScenarioConfigModel.model_validate({"name": "x", "tier": "unit"})
    with pytest.raises(ValidationError):
        scenario.name = "y"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ScenarioConfigModel.model_validate({"name": "x", "tier": "unit", "bogus": 1})


def test_cross_field_rules_also_apply_to_models_built_in_code() -> None:
    with pytest.raises(ValidationError, match=r"steps\[1\].id: duplicate step id 'a'"):
        ScenarioConfigModel.model_validate(
            {"name": "x", "tier": "unit", "steps": [{"id": "a", "wait": 1}, {"id": "a", "wait": 2}]}
        )


def test_step_models_and_call_arguments(tree: Tree) -> None:
    tree.write(
        "unit/x.yaml",
        """
        name: x
        node: pkg.mod:Node
        steps:
          - {id: a, call: run, args: [1, two], kwargs: {k: v}, timeout: 2m}
          - {id: b, publish: {topic: t, key: 42, headers: {h: v}}}
        """,
    )
    scenario = tree.load("unit/x.yaml")
    call, publish = scenario.steps
    assert isinstance(call, ModelCallStep)
    assert (call.call, call.args, call.keyword_args, call.timeout) == (
        "run",
        (1, "two"),
        {"k": "v"},
        120.0,
    )
    assert isinstance(publish, ModelPublishStep)
    assert publish.publish.key == "42"
    assert publish.publish.value is None
