ALTER TABLE "user" RENAME COLUMN "select" TO "default";
-- PostgreSQL 18 names a NOT NULL constraint after its column, and keeps the name when the column is renamed.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_constraint WHERE conrelid = '"user"'::regclass AND conname = 'user_select_not_null') THEN
        ALTER TABLE "user" RENAME CONSTRAINT user_select_not_null TO user_default_not_null;
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION "trigger"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW."default" := btrim(NEW."default");
    RETURN NEW;
END;
$$;
DROP TRIGGER "before" ON "user";
CREATE TRIGGER "before" BEFORE INSERT OR UPDATE ON "user" FOR EACH ROW WHEN (NEW."Limit" IS NOT NULL)
    EXECUTE FUNCTION "trigger"();
ALTER TABLE "order" ADD COLUMN "primary" text;
COMMENT ON COLUMN "order"."primary" IS 'Added under a reserved name.';
ALTER TABLE "order" DROP CONSTRAINT "order_OrderedBy_fkey";
ALTER TABLE "order" ADD CONSTRAINT "order_OrderedBy_fkey" FOREIGN KEY ("OrderedBy") REFERENCES "user" (id)
    ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TYPE "Status" ADD VALUE 'pending' BEFORE 'closed';
COMMENT ON TYPE "case" IS 'Still reserved.';
DROP INDEX "where";
CREATE INDEX "where" ON "user" ("group", "Limit" DESC) WHERE "from" <> 'closed';
ALTER POLICY "all" ON "user" USING ("from" IN ('open', 'pending'));
CREATE OR REPLACE FUNCTION "select"("limit" integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
SELECT "limit" + 2
$$;
CREATE TABLE order_2027 PARTITION OF "order" FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
REVOKE INSERT, UPDATE ON "user", "order" FROM "GroupLeads";
