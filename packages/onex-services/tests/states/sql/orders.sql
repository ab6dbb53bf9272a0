CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    qty INTEGER NOT NULL,
    placed SERIAL
);
