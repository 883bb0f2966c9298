INSERT INTO employee (name, email, salary, bank_account) VALUES ('Ada', 'ada@example.com', 5000.00, 'FR76 0000'),
    ('Alan', 'alan@example.com', 4800.00, NULL);
SELECT private.raise_salary(1, 3.5);
