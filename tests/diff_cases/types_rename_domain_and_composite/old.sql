CREATE DOMAIN money_amount AS numeric(10, 2) CHECK (VALUE >= 0);
CREATE TYPE pt AS (x money_amount, y money_amount);
ALTER TABLE item ADD COLUMN amount money_amount, ADD COLUMN spot pt, ADD COLUMN spots pt[];
