"""Real tools (Kafka, Redis, PostgreSQL) and their in-memory mocks."""
