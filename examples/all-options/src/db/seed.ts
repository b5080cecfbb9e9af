/**
 * Example data for the embedded database, so `query_database` and the schema resources show
 * something real on first run: a small shop with 60 products and 5,000 orders. Deterministic,
 * so tests and docs can rely on the numbers. Never run against DATABASE_URL.
 */
export const SEED_SQL = `
CREATE TABLE products (
  sku         text PRIMARY KEY,
  name        text NOT NULL,
  category    text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0)
);

CREATE TABLE orders (
  order_no   text PRIMARY KEY,
  sku        text NOT NULL REFERENCES products (sku),
  quantity   integer NOT NULL CHECK (quantity > 0),
  ordered_at timestamptz NOT NULL
);

INSERT INTO products (sku, name, category, price_cents)
SELECT format('SKU-%s', lpad(n::text, 3, '0')),
       (ARRAY['Trail', 'City', 'Studio', 'Harbor', 'Summit', 'Meadow'])[1 + n % 6] || ' ' ||
       (ARRAY['Backpack', 'Lamp', 'Mug', 'Notebook', 'Jacket', 'Bottle', 'Chair', 'Scarf', 'Kettle', 'Tent'])[1 + n % 10],
       (ARRAY['outdoor', 'home', 'kitchen', 'office', 'apparel'])[1 + n % 5],
       500 + (n * 7919) % 20000
FROM generate_series(1, 60) AS n;

INSERT INTO orders (order_no, sku, quantity, ordered_at)
SELECT format('ORD-%s', lpad(n::text, 5, '0')),
       format('SKU-%s', lpad((1 + (n * 31) % 60)::text, 3, '0')),
       1 + (n * 13) % 5,
       timestamptz '2026-01-01 00:00:00+00' + n * interval '97 minutes'
FROM generate_series(1, 5000) AS n;
`;
