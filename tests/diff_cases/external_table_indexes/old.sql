CREATE INDEX objects_name ON storage.objects (name);
CREATE INDEX objects_owner ON storage.objects (owner);
