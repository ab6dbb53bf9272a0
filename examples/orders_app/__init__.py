"""An app under test: a small HTTP service for orders that uses Kafka, PostgreSQL and Redis through
its own clients (aiokafka, asyncpg, redis-py), with no harness code in it. See http_server.py
for its routes and service.py for what it does; scenarios start it with `app:` (docs/scenarios.md).
"""
