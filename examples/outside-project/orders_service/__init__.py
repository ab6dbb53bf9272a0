"""A small order service: HTTP in (Starlette), PostgreSQL rows, a Redis cache, Kafka events."""
