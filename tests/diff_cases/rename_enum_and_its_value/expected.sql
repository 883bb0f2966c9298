ALTER TYPE item_status RENAME TO item_state;
ALTER TYPE item_state RENAME VALUE 'active' TO 'live';
