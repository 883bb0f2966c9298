-- Generated columns, a column's collation and a publication (issue 12's replication and columns).
CREATE TABLE public.people (
    id integer PRIMARY KEY,
    first_name text NOT NULL,
    last_name text COLLATE "C" NOT NULL,
    full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED
);
CREATE PUBLICATION people_changes FOR TABLE public.people, public.rooms WITH (publish = 'insert, update');
COMMENT ON PUBLICATION people_changes IS 'What the search index follows.';
