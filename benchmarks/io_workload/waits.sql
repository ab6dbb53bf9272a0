-- The table of the I/O-bound workload, in the scenario's own schema.
CREATE TABLE IF NOT EXISTS waits (
    id TEXT PRIMARY KEY,
    correlation_id TEXT NOT NULL
);
