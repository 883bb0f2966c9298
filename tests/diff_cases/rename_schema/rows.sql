INSERT INTO account (id, name, code) VALUES ('00000000-0000-0000-0000-00000000000a', 'Ada', 'A1'), ('00000000-0000-0000-0000-00000000000b', 'Bob', 'B2');
INSERT INTO item (account_id, status, label, qty, price, note) VALUES
    ('00000000-0000-0000-0000-00000000000a', 'active', 'lamp', 3, 9.99, 'first'),
    ('00000000-0000-0000-0000-00000000000a', 'draft', 'desk', 1, 120.00, NULL),
    ('00000000-0000-0000-0000-00000000000b', 'archived', 'chair', 0, NULL, 'third');
INSERT INTO event (account_id, channel, created_at) VALUES
    ('00000000-0000-0000-0000-00000000000a', 'web', '2026-01-15'), ('00000000-0000-0000-0000-00000000000a', 'store', '2026-02-10'),
    ('00000000-0000-0000-0000-00000000000b', 'web', '2026-03-20'), ('00000000-0000-0000-0000-00000000000b', NULL, '2027-01-01');
INSERT INTO private.audit_note (body) VALUES ('kept'), ('also kept');
