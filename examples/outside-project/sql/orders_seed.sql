-- Orders already known when a test starts from the `known_orders` state (tests/states.yaml).
INSERT INTO orders VALUES ('o-100', 'ABC', 2, 'accepted');
INSERT INTO orders VALUES ('o-101', 'XYZ', 1, 'shipped');
