INSERT INTO orders (id, sku, qty, status) VALUES ('o-0', 'XYZ', 1, 'accepted');
