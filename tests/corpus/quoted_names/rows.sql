INSERT INTO "User" ("E-mail", "Full Name", "group") VALUES ('ada@example.com', 'Ada Lovelace', 'select'), ('bob@example.com', NULL, DEFAULT);
INSERT INTO "Order" ("order", "user", "Status", "Prix €", "select", "from", "to") VALUES
    (1, 1, 'Confirmé', 120.50, true, '2026-07-01', '2026-07-08'),
    (2, 2, 'it''s cancelled', NULL, false, '2026-08-01', '2026-08-02');
UPDATE "Order" SET "to" = '2026-07-09' WHERE "order" = 1;
INSERT INTO "Reporting"."Daily Count" VALUES ('2026-07-01', "Reporting"."Order Count"(1)::integer);
