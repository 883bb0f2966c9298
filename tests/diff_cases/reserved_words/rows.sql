INSERT INTO "user" ("select", "group", "Limit", "from") VALUES ('  Ada ', 'select', 3, 'open'), ('Bob', 'it''s', NULL, 'closed');
INSERT INTO "order" (id, "user", at, "OrderedBy") VALUES (1, 1, '2026-03-01', 2), (2, 2, '2025-12-31', NULL);
