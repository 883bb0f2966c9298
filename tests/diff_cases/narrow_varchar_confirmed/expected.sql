ALTER TABLE account ALTER COLUMN name TYPE varchar(60);
