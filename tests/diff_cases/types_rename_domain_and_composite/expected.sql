ALTER DOMAIN money_amount RENAME TO amount;
ALTER TYPE pt RENAME TO point2;
ALTER DOMAIN amount RENAME CONSTRAINT money_amount_check TO amount_check;
