CREATE INDEX event_2026_01_channel_idx ON event_2026_01 (channel);
ALTER TABLE event_2026_01 ADD CONSTRAINT event_2026_01_channel_check CHECK (channel IS NOT NULL);
ALTER TABLE event_2026_01 ADD CONSTRAINT event_2026_01_account_id_fkey FOREIGN KEY (account_id) REFERENCES account (id);
COMMENT ON CONSTRAINT event_2026_01_account_id_fkey ON event_2026_01 IS 'January''s own';
ALTER TABLE event_2026_01 ADD CONSTRAINT event_2026_01_id_key UNIQUE (id);
