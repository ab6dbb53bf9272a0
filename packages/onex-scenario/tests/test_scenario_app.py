"""`app:` and `http` steps in scenario files: run-time placeholders survive loading, and every
placeholder, probe and expected value that cannot work is an error at its file:line."""

from __future__ import annotations

import pytest
from onex_scenario import ModelAppSpec, ModelHttpStep

from conftest import Tree

pytestmark = pytest.mark.unit

SERVICES = """
dependency_mode: real
external_services:
  kafka: {kind: kafka}
  postgres: {kind: postgres}
  redis: {kind: redis}
"""


def test_placeholders_are_left_for_the_runner_and_a_command_string_is_split(tree: Tree) -> None:
    tree.write(
        "integration/scenario_app.yaml",
        SERVICES
        + """
name: app
app:
  command: "python -m my_service --port ${app.port} --name 'my service'"
  env:
    KAFKA: ${services.kafka.bootstrap_servers}
    DSN: ${services.postgres.dsn}
    SCHEMA: ${services.postgres.schema}
    REDIS: ${services.redis.url}
    NS: ${namespace}
    LITERAL: $${namespace}
    HOME_FROM_ENV: ${APP_HOME:-/srv}
  ready: {http: /healthz, timeout: 5s}
steps:
  - id: create
    http: {method: POST, path: /orders, json: {id: o-1}, expect: {status: 201}}
""",
    )
    scenario = tree.load("integration/scenario_app.yaml")
    app = scenario.app
    assert isinstance(app, ModelAppSpec)
    assert app.command == ("python", "-m", "my_service", "--port", "${app.port}", "--name",
                           "my service")  # fmt: skip
    assert app.env["KAFKA"] == "${services.kafka.bootstrap_servers}"
    assert app.env["NS"] == "${namespace}"
    assert app.env["LITERAL"] == "$${namespace}"  # the runner turns it into ${namespace}
    assert app.env["HOME_FROM_ENV"] == "/srv"  # environment interpolation still happens at load
    assert app.ready is not None
    assert app.ready.timeout == 5.0
    [step] = scenario.steps
    assert isinstance(step, ModelHttpStep)
    assert step.http.body == {"id": "o-1"}
    assert step.http.body_given


def test_unknown_placeholders_are_errors_at_their_line(tree: Tree) -> None:
    tree.write(
        "integration/scenario_bad.yaml",
        SERVICES
        + """
name: bad
app:
  command: [my-service, "${app.prot}"]
  env:
    DSN: ${services.postgress.dsn}
    BROKERS: ${services.kafka.url}
    SHAPE: ${services.kafka}
steps:
  - id: create
    http:
      path: /x
      headers: {X-Namespace: "${namespace}"}
""",
    )
    issues = tree.issues("integration/scenario_bad.yaml")
    found = {(issue.line, issue.key_path): issue.message for issue in issues}
    assert found == {
        (9, "app.command[1]"): "${app.prot}: expected ${app.<field>} with a field of port, host, "
        "base_url",
        (11, "app.env.DSN"): "${services.postgress.dsn}: no external service 'postgress' "
        "(declared: kafka, postgres, redis)",
        (12, "app.env.BROKERS"): "${services.kafka.url}: a kafka service has no field 'url' "
        "(fields: bootstrap_servers, topic_prefix, host, port, "
        "security_protocol, sasl_mechanism, sasl_username, sasl_password, ssl_cafile, "
        "ssl_check_hostname)",
        (13, "app.env.SHAPE"): "${services.kafka}: expected ${services.<service>.<field>}",
        (18, "steps[0].http.headers.X-Namespace"): "${namespace}: run-time placeholders are "
        "filled in only under app: (command, env, cwd)",
    }


def test_the_app_cannot_reach_a_mock(tree: Tree) -> None:
    tree.write(
        "mixed/scenario_mock.yaml",
        SERVICES.replace("redis: {kind: redis}", "redis: {kind: redis, dependency_mode: mock}")
        + """
name: mock
app:
  command: [my-service]
  env: {REDIS: "${services.redis.url}"}
""",
    )
    assert tree.messages("mixed/scenario_mock.yaml") == [
        "app.env.REDIS: ${services.redis.url}: the app connects to redis itself, so redis must "
        "be real (it is a mock here; a mock has no address)"
    ]


@pytest.mark.parametrize(
    ("ready", "message"),
    [
        ("{http: /h, tcp: true}", "expected exactly one of http, tcp, log (got http, tcp)"),
        ("{timeout: 5s}", "expected exactly one of http, tcp, log (got none)"),
        ("{http: healthz}", "app.ready.http: expected text matching ^/, got 'healthz'"),
        ("{tcp: 70000}", "tcp: a port is 1 to 65535"),
    ],
)
def test_a_readiness_probe_is_exactly_one_usable_probe(
    tree: Tree, ready: str, message: str
) -> None:
    tree.write("unit/scenario_ready.yaml", f"name: ready\napp:\n  command: [x]\n  ready: {ready}\n")
    [text] = tree.messages("unit/scenario_ready.yaml")
    assert message in text


def test_an_http_step_needs_an_app_and_valid_matchers(tree: Tree) -> None:
    tree.write(
        "unit/scenario_http.yaml",
        """
name: http
steps:
  - id: get
    http:
      path: /orders
      expect: {status: {$betwen: [200, 299]}, json: {id: {$regex: "("}}}
""",
    )
    messages = tree.messages("unit/scenario_http.yaml")
    assert "steps[0].http: an http step needs `app:` (the app under test to call)" in messages
    assert any(m.startswith("steps[0].http.expect.status") and "$betwen" in m for m in messages)
    assert any(m.startswith("steps[0].http.expect.json.id") for m in messages)


def test_render_fills_in_placeholders_and_unescapes_the_literal_form() -> None:
    from onex_scenario.placeholders import render

    values = {"namespace": "onex_a_main", "services.kafka.topic_prefix": "onex_a_main."}
    text = "ns=${namespace} topics=${services.kafka.topic_prefix}orders literal=$${namespace}"
    assert render(text, values) == ("ns=onex_a_main topics=onex_a_main.orders literal=${namespace}")
    assert render("${HOME} stays", values) == "${HOME} stays"  # not a run-time placeholder
    with pytest.raises(KeyError, match=r"services\.redis\.url"):
        render("${services.redis.url}", values)
