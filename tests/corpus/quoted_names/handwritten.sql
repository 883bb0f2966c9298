-- The bookings as the agency would write them by hand, every name as its users said it.
CREATE SCHEMA "Reporting";
COMMENT ON SCHEMA "Reporting" IS 'Figures for the « Back Office »';

CREATE TYPE "Booking Status" AS ENUM ('Requested', 'Confirmé', 'it''s cancelled');
COMMENT ON TYPE "Booking Status" IS 'Where a booking stands.';

CREATE TABLE "User" (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "E-mail" text NOT NULL UNIQUE,
    "Full Name" text,
    "group" text NOT NULL DEFAULT 'default'
);
COMMENT ON TABLE "User" IS 'People who book.';
COMMENT ON COLUMN "User"."group" IS 'The « group » a user belongs to';
CREATE INDEX "User by ""Full Name""" ON "User" (lower("Full Name"));

CREATE TABLE "Order" (
    "order" bigint PRIMARY KEY,
    "user" integer NOT NULL REFERENCES "User" (id) ON DELETE CASCADE,
    "Status" "Booking Status" NOT NULL DEFAULT 'Requested',
    "Prix €" numeric(10, 2) CHECK ("Prix €" >= 0),
    "select" boolean NOT NULL DEFAULT false,
    "from" date NOT NULL,
    "to" date NOT NULL,
    CONSTRAINT "Dates in order" CHECK ("to" >= "from"),
    CONSTRAINT "One booking per user & day" UNIQUE ("user", "from")
);
CREATE INDEX "Order ""Status"" idx" ON "Order" ("Status", "from" DESC) WHERE "select";

CREATE TABLE "Reporting"."Daily Count" (
    "Day" date PRIMARY KEY,
    "Count" integer NOT NULL DEFAULT 0 CHECK ("Count" >= 0)
);

CREATE FUNCTION "Check Dates"() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog
AS $$
BEGIN
  IF NEW."to" < NEW."from" THEN
    RAISE EXCEPTION 'a booking ends after it starts';
  END IF;
  RETURN NEW;
END;
$$;

CREATE FUNCTION "Reporting"."Order Count"("For User" integer) RETURNS bigint
LANGUAGE sql STABLE
AS $$
SELECT count(*) FROM public."Order" WHERE "user" = "For User"
$$;

CREATE TRIGGER "Before ""Update""" BEFORE UPDATE OF "from", "to" ON "Order"
    FOR EACH ROW EXECUTE FUNCTION "Check Dates"();

ALTER TABLE "User" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users see everyone" ON "User" FOR SELECT TO authenticated USING (true);
ALTER TABLE "Order" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Only my orders" ON "Order" TO authenticated
    USING ("user" = nullif(current_setting('app.user_id', true), '')::integer);

GRANT SELECT ON "User", "Order" TO authenticated;
GRANT INSERT, UPDATE, DELETE ON "Order" TO authenticated;
