ALTER SEQUENCE ticket RENAME TO ticket_number;
