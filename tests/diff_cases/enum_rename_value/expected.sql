ALTER TYPE item_status RENAME VALUE 'active' TO 'live';
