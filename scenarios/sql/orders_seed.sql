-- Orders that exist before the scenario starts (the seeded state `known_orders`).
INSERT INTO orders (id, sku, qty, status) VALUES ('o-100', 'OLD', 5, 'accepted');
INSERT INTO orders (id, sku, qty, status) VALUES ('o-101', 'OLD', 1, 'rejected');
