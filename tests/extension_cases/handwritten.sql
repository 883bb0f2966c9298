-- The schema of tests/extension_cases/spec/, written by hand (the schema `extensions` made first, as Supabase has it).
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION vector WITH SCHEMA extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
CREATE EXTENSION hstore WITH SCHEMA extensions;
CREATE EXTENSION ltree WITH SCHEMA extensions;
CREATE EXTENSION pg_trgm WITH SCHEMA extensions;

CREATE TABLE doc (
    id bigserial PRIMARY KEY,
    email extensions.citext NOT NULL UNIQUE,
    embedding extensions.vector(3),
    half extensions.halfvec(2),
    attrs extensions.hstore,
    path extensions.ltree,
    aliases extensions.citext[]
);
CREATE INDEX doc_path_idx ON doc USING gist (path);
CREATE INDEX doc_attrs_idx ON doc USING gin (attrs);
