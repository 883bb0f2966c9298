CREATE TABLE item_log (tag text NOT NULL, added integer NOT NULL);
CREATE FUNCTION log_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_log (tag, added) SELECT TG_ARGV[0] || TG_ARGV[1], count(*)::integer FROM added;
    RETURN NULL;
END;
$$;
DROP TRIGGER item_touch ON item;
CREATE TRIGGER item_touch BEFORE UPDATE OF qty, price ON item FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER item_added AFTER INSERT ON item REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION log_added(E'bulk''s \\ load', '2');
