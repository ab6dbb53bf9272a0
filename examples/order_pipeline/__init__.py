"""An order pipeline: consumes order events, writes PostgreSQL, caches in Redis, publishes the
outcome (`orders.accepted` or `orders.rejected`) with the order's correlation id."""

from examples.order_pipeline.node import OrderPipelineNode

__all__ = ["OrderPipelineNode"]
