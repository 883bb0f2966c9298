CREATE TABLE public.events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    happened_at date NOT NULL,
    kind text NOT NULL,
    payload jsonb,
    PRIMARY KEY (id, happened_at)
) PARTITION BY RANGE (happened_at);

CREATE TABLE public.events_2026_01 PARTITION OF public.events FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE public.events_2026_02 PARTITION OF public.events FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
CREATE TABLE public.events_default PARTITION OF public.events DEFAULT;
CREATE INDEX events_kind_idx ON public.events (kind, happened_at);

ALTER TABLE public.orders REPLICA IDENTITY FULL;
