CREATE TYPE public.region AS ENUM ('eu', 'us', 'apac');

CREATE TABLE public.sites (
    region public.region NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    opened date,
    PRIMARY KEY (region, code)
) PARTITION BY LIST (region);
CREATE TABLE public.sites_eu PARTITION OF public.sites FOR VALUES IN ('eu');
CREATE TABLE public.sites_us PARTITION OF public.sites FOR VALUES IN ('us');
CREATE TABLE public.sites_rest PARTITION OF public.sites DEFAULT;
CREATE INDEX sites_eu_name_idx ON public.sites_eu (name);
ALTER TABLE public.sites_us ADD CONSTRAINT sites_us_opened_check CHECK (opened >= '2020-01-01');

CREATE TABLE public.devices (
    id bigint NOT NULL,
    serial text NOT NULL,
    PRIMARY KEY (id)
) PARTITION BY HASH (id);
CREATE TABLE public.devices_p0 PARTITION OF public.devices FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE public.devices_p1 PARTITION OF public.devices FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE UNIQUE INDEX devices_p1_serial_key ON public.devices_p1 (serial);
