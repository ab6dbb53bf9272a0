-- The order pipeline's table, created in the scenario's own schema (PostgreSQL) or database (mock).
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    sku TEXT NOT NULL,
    qty INTEGER NOT NULL,
    status TEXT NOT NULL
);
