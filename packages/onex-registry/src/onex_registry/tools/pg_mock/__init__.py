"""The mock SQL store: PostgreSQL's grammar and rules in front of an in-memory sqlite."""
