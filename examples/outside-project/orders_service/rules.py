"""The business rule of an order, shared by the service and its scenario node."""

from __future__ import annotations

from typing import Any


def order_problem(order: Any) -> str | None:
    """Why `order` cannot be accepted, or None when it can."""
    if not isinstance(order, dict):
        return "an order is a JSON object"
    if not isinstance(order.get("id"), str) or not order["id"]:
        return "an order needs an id"
    if not isinstance(order.get("sku"), str) or not order["sku"]:
        return "an order needs a sku"
    qty = order.get("qty")
    if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
        return "qty must be a positive integer"
    return None
