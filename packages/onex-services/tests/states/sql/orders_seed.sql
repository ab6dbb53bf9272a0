INSERT INTO orders (id, qty) VALUES ('o-1', 2);
INSERT INTO orders (id, qty) VALUES ('o-2', 3);
INSERT INTO orders (id, qty) VALUES ('o-3', 1);
