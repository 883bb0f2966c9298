INSERT INTO orders (id, region, total) VALUES (1, 'de', 10), (2, 'fr', 20), (3, 'us', 30), (4, 'it', 40), (5, 'es', 50), (6, 'it', 60);
INSERT INTO hits (id, n) SELECT g, g * 10 FROM generate_series(1, 40) AS g WHERE NOT satisfies_hash_partition('hits'::regclass, 4, 2, g::bigint);
