CREATE TABLE orders (id text PRIMARY KEY, sku text NOT NULL, qty integer NOT NULL, status text);
