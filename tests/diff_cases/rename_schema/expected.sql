ALTER SCHEMA private RENAME TO internal;
