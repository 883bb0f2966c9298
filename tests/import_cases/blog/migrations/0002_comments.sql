CREATE TABLE tags (
    name text PRIMARY KEY
);

CREATE TABLE post_tags (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag text NOT NULL REFERENCES tags (name),
    PRIMARY KEY (post_id, tag)
);

CREATE SEQUENCE ticket_seq START 1000 INCREMENT 10;

CREATE TABLE comments (
    id integer PRIMARY KEY DEFAULT nextval('ticket_seq'),
    post_id bigint NOT NULL,
    author text NOT NULL,
    body text NOT NULL CHECK (length(body) <= 5000),
    score numeric(5, 2) DEFAULT 0.0,
    CONSTRAINT comments_post_fk FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

CREATE VIEW published_posts AS
    SELECT p.id, p.title, a.display_name AS author
    FROM posts p JOIN authors a ON a.id = p.author_id
    WHERE p.published;
COMMENT ON VIEW published_posts IS 'What readers see.';
