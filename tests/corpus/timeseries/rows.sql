INSERT INTO device (id, serial) SELECT n, 'SN-' || n FROM generate_series(1, 8) AS n;
INSERT INTO site VALUES ('eu', 'par-1', 'Paris'), ('us', 'nyc-1', 'New York'), ('apac', 'syd-1', 'Sydney');
INSERT INTO reading VALUES (1, '2026-02-03 10:00+00', 21.5), (2, '2026-03-31 23:00+00', 19.0), (2, '2027-01-01 00:00+00', 20.0);
INSERT INTO reading_archive VALUES (1, '2024-06-01 12:00+00', 18.2), (3, '2025-12-31 23:59+00', 17.9);
