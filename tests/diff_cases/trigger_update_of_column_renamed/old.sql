DROP TRIGGER item_touch ON item;
CREATE TRIGGER item_touch BEFORE UPDATE OF price, note ON item FOR EACH ROW EXECUTE FUNCTION touch();
