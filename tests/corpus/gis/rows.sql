INSERT INTO region (name, boundary) VALUES ('Île-de-France', 'POLYGON((1.4 48.1, 3.6 48.1, 3.6 49.2, 1.4 49.2, 1.4 48.1))');
INSERT INTO place (region_id, name, kind, lat, lon, location)
    SELECT id, 'Louvre', 'museum', 48.8606, 2.3376, 'SRID=4326;POINT(2.3376 48.8606)' FROM region;
INSERT INTO place (name, kind, lat, lon) VALUES ('Gare du Nord', 'station', 48.8809, 2.3553);
INSERT INTO place (name, kind, lat, lon)
    SELECT 'Near: ' || name, 'park', 48.87, 2.34 FROM places_within(48.8606, 2.3376, 3000) WHERE name = 'Gare du Nord';
