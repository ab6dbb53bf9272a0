"""A node that stores one row of PostgreSQL's typed columns (BOOLEAN, TIMESTAMPTZ, NUMERIC,
JSONB): its scenario's row expectation is written once and passes in mock and in real mode."""

from examples.typed_rows.node import TypedRowsNode

__all__ = ["TypedRowsNode"]
