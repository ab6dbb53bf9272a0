"""The order pipeline made to survive its dependencies failing: retries with backoff on publish,
a deadline on every SQL statement, a fallback when the cache fails, and processing that stays
exactly-once across a broker restart. The fault scenarios (scenarios/faults) prove each."""

from examples.resilient_orders.node import ResilientOrderNode

__all__ = ["ResilientOrderNode"]
