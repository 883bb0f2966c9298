ALTER PUBLICATION supabase_realtime DROP TABLE account;
ALTER PUBLICATION supabase_realtime ADD TABLE item;
