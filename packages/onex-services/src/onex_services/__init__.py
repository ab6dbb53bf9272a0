"""Service manager of the ONEX Scenario Harness: real Kafka, PostgreSQL and Redis as processes, compose stacks or external endpoints."""

__version__ = "0.1.0"
