INSERT INTO account (id, email, password_hash) VALUES
    ('00000000-0000-0000-0000-0000000000a1', 'ada@example.com', 'scrypt$1'),
    ('00000000-0000-0000-0000-0000000000b2', 'alan@example.com', 'scrypt$2');
UPDATE account SET email = 'ada@example.org' WHERE email = 'ada@example.com';
INSERT INTO invoice (account_id, amount) VALUES
    ('00000000-0000-0000-0000-0000000000a1', 120.00), ('00000000-0000-0000-0000-0000000000a1', 80.50),
    ('00000000-0000-0000-0000-0000000000b2', 15.00);
UPDATE invoice SET paid = true WHERE amount = 120.00;
DELETE FROM invoice WHERE amount = 15.00;
