-- A blog, as a plain migrations folder: serial keys, a composite key, a view.
CREATE TABLE authors (
    id serial PRIMARY KEY,
    email varchar(320) NOT NULL UNIQUE,
    display_name text NOT NULL DEFAULT 'anonymous',
    bio text,
    created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    author_id integer NOT NULL REFERENCES authors (id) ON DELETE RESTRICT ON UPDATE CASCADE,
    slug text NOT NULL,
    title text NOT NULL,
    body text NOT NULL DEFAULT '',
    published boolean NOT NULL DEFAULT false,
    published_at timestamptz,
    tags text[] NOT NULL DEFAULT '{}',
    CONSTRAINT posts_slug_format CHECK (slug ~ '^[a-z0-9-]+$'),
    CONSTRAINT published_has_date CHECK (NOT published OR published_at IS NOT NULL)
);
CREATE UNIQUE INDEX posts_slug_key ON posts (lower(slug));
CREATE INDEX posts_published_idx ON posts (published_at DESC NULLS LAST) WHERE published;
COMMENT ON TABLE posts IS 'Articles; a draft has published = false.';
COMMENT ON COLUMN posts.slug IS 'The URL part, lower case.';
