CREATE TABLE tag (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id integer NOT NULL REFERENCES item (id) ON DELETE CASCADE,
    name text NOT NULL
);
COMMENT ON TABLE tag IS 'Labels on items.';
CREATE INDEX idx_tag_item ON tag (item_id);
ALTER TABLE tag ENABLE ROW LEVEL SECURITY;
CREATE POLICY tag_read ON tag FOR SELECT TO app_user USING (true);
GRANT SELECT ON tag TO app_user;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app_user;
