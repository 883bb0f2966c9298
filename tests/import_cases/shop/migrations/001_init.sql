-- A shop with a private schema of helpers, a log partitioned by month and a trigger keeping updated_at.
CREATE SCHEMA private;
COMMENT ON SCHEMA private IS 'Helpers the API does not expose.';

CREATE TYPE public.order_state AS ENUM ('cart', 'paid', 'shipped', 'cancelled');

CREATE TABLE public.customers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    "Email" text NOT NULL,
    CONSTRAINT customers_email_key UNIQUE ("Email")
);

CREATE TABLE public.orders (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id uuid NOT NULL REFERENCES public.customers (id),
    state public.order_state NOT NULL DEFAULT 'cart',
    total numeric(12, 2) NOT NULL DEFAULT 0 CHECK (total >= 0),
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_state_idx ON public.orders (customer_id, state) INCLUDE (total);

CREATE FUNCTION private.touch() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION private.touch();

CREATE FUNCTION public.order_count(p_customer uuid) RETURNS bigint LANGUAGE sql STABLE
AS $$
SELECT count(*) FROM public.orders WHERE customer_id = p_customer
$$;
COMMENT ON FUNCTION public.order_count(uuid) IS 'How many orders a customer placed.';
