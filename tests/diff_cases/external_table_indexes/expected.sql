DROP INDEX storage.objects_name;
DROP INDEX storage.objects_owner;
CREATE INDEX objects_owner ON storage.objects (owner) WHERE owner IS NOT NULL;
CREATE UNIQUE INDEX objects_bucket_name ON storage.objects (bucket_id, name);
COMMENT ON INDEX storage.objects_bucket_name IS 'One object per name in a bucket.';
