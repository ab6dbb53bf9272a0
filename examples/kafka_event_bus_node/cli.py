"""`python -m examples.kafka_event_bus_node.cli send COMMAND --args JSON`: one request over a
real Kafka broker; prints the reply as JSON. It builds its bus through a registry, as a node must.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from onex_registry import RegistryResolver
from onex_scenario import ScenarioConfigModel

from examples.kafka_event_bus_node.node import request


async def _send(bootstrap: str, namespace: str, command: str, args: dict[str, object]) -> int:
    scenario = ScenarioConfigModel.model_validate(
        {"name": "cli", "tier": "e2e", "dependency_mode": "real",
         "external_services": {"kafka": {"kind": "kafka"}}}
    )  # fmt: skip
    resolver = RegistryResolver()
    registry = resolver.build(
        resolver.resolve(scenario, namespace=namespace, endpoints={"kafka": bootstrap})
    )
    bus = registry.event_bus
    await bus.connect()
    try:
        result = await request(bus, command, args)
    finally:
        await bus.close()
    print(json.dumps(result))
    return 0 if result.get("reply") is not None else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kafka-event-bus-cli")
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--namespace", required=True)
    sub = parser.add_subparsers(dest="action", required=True)
    send = sub.add_parser("send", help="send a command and wait for its reply")
    send.add_argument("command")
    send.add_argument("--args", default="{}", help="JSON object of arguments")
    options = parser.parse_args(argv)
    try:
        args = json.loads(options.args)
    except ValueError as exc:
        parser.error(f"--args is not JSON: {exc}")
    return asyncio.run(_send(options.bootstrap_servers, options.namespace, options.command, args))


if __name__ == "__main__":
    sys.exit(main())
