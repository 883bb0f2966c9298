CREATE TABLE "café crème" (
    "Order ID" bigint PRIMARY KEY,
    "Account" uuid NOT NULL REFERENCES account (id),
    "Prix €" numeric(8, 2) CHECK ("Prix €" >= 0)
);
CREATE INDEX "Orders by ""Account""" ON "café crème" ("Account");
ALTER TABLE "café crème" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Allow logged-in read access" ON "café crème" FOR SELECT TO app_user USING (true);
CREATE TRIGGER "Skip no-op updates" BEFORE UPDATE ON "café crème"
    FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
ALTER TABLE item RENAME COLUMN label TO "Label shown";
