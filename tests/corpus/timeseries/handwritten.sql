-- The sensor readings as their team would write them by hand.
CREATE TYPE region AS ENUM ('eu', 'us', 'apac', 'other');

CREATE TABLE device (
    id bigint NOT NULL,
    serial text NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id),
    UNIQUE (id, serial)
) PARTITION BY HASH (id);
COMMENT ON TABLE device IS 'A sensor, spread over four hash partitions by its id.';
CREATE TABLE device_p0 PARTITION OF device FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE device_p1 PARTITION OF device FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE device_p2 PARTITION OF device FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE device_p3 PARTITION OF device FOR VALUES WITH (MODULUS 4, REMAINDER 3);

CREATE TABLE site (
    region region NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (region, code)
) PARTITION BY LIST (region);
COMMENT ON TABLE site IS 'Where devices stand, a partition per region.';
CREATE TABLE site_eu PARTITION OF site FOR VALUES IN ('eu');
CREATE TABLE site_us PARTITION OF site FOR VALUES IN ('us');
CREATE TABLE site_rest PARTITION OF site DEFAULT;

CREATE TABLE reading (
    device_id bigint NOT NULL,
    taken_at timestamptz NOT NULL,
    value double precision NOT NULL,
    PRIMARY KEY (device_id, taken_at)
) PARTITION BY RANGE (taken_at);
COMMENT ON TABLE reading IS 'One measurement, a partition per month.';
CREATE INDEX reading_taken_at_idx ON reading USING brin (taken_at);
CREATE TABLE reading_2026_01 PARTITION OF reading FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');
CREATE TABLE reading_2026_02 PARTITION OF reading FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');
CREATE TABLE reading_2026_03 PARTITION OF reading FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');
CREATE TABLE reading_default PARTITION OF reading DEFAULT;

CREATE TABLE reading_archive (
    device_id bigint NOT NULL,
    taken_at timestamptz NOT NULL,
    value double precision NOT NULL
) PARTITION BY RANGE (taken_at);
COMMENT ON TABLE reading_archive IS 'Readings before the time partitions, in two listed ranges.';
CREATE TABLE reading_archive_2024 PARTITION OF reading_archive FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');
CREATE TABLE reading_archive_2025 PARTITION OF reading_archive FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
