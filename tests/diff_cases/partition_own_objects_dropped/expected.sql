DROP INDEX event_2026_01_channel_idx;
ALTER TABLE event_2026_01 DROP CONSTRAINT event_2026_01_channel_check;
ALTER TABLE event_2026_01 DROP CONSTRAINT event_2026_01_account_id_fkey;
ALTER TABLE event_2026_01 DROP CONSTRAINT event_2026_01_id_key;
