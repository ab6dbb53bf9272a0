"""The Kafka event-bus node of the original report: a daemon that answers commands over Kafka,
and a CLI that sends a command and waits for the reply by correlation id."""

from examples.kafka_event_bus_node.node import EventBusDaemonNode

__all__ = ["EventBusDaemonNode"]
