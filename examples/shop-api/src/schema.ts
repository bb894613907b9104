/**
 * Schema and seed of the example. Each index serves a query the service runs:
 * - products_pkey (id): GET /products/:id, and keyset/offset pagination ORDER BY id in GET /products
 * - products_category_id_idx (category, id): GET /products?category=... ordered by id
 * - products_name_trgm_idx (GIN trigram on lower(name)): GET /products/search?q=... (ILIKE '%q%')
 * - order_items_order_id_idx (order_id): loading an order's items, and the FK check on delete
 * - order_items_product_id_idx (product_id): the sales report's join from products to items
 * - orders_created_at_idx (created_at): the report's time window over recent orders
 */
export const MIGRATION = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE IF NOT EXISTS products (
  id          serial PRIMARY KEY,
  sku         text NOT NULL UNIQUE,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  category    text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  stock       integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS products_category_id_idx ON products (category, id);
CREATE INDEX IF NOT EXISTS products_name_trgm_idx ON products USING gin (lower(name) gin_trgm_ops);
CREATE TABLE IF NOT EXISTS orders (
  id             bigserial PRIMARY KEY,
  customer_email text NOT NULL,
  status         text NOT NULL DEFAULT 'placed',
  total_cents    integer NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_created_at_idx ON orders (created_at);
CREATE TABLE IF NOT EXISTS order_items (
  order_id    bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id  integer NOT NULL REFERENCES products (id),
  quantity    integer NOT NULL CHECK (quantity > 0),
  price_cents integer NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
CREATE INDEX IF NOT EXISTS order_items_order_id_idx ON order_items (order_id);
CREATE INDEX IF NOT EXISTS order_items_product_id_idx ON order_items (product_id);
`

const CATEGORIES = ['books', 'games', 'garden', 'kitchen', 'music', 'outdoor', 'toys', 'tools']

/** Inserts `count` products when the table is empty (idempotent). */
export function seedSql(count: number): string {
  const categories = `ARRAY[${CATEGORIES.map((c) => `'${c}'`).join(',')}]`
  return `
INSERT INTO products (sku, name, description, category, price_cents, stock)
SELECT 'SKU-' || lpad(g::text, 6, '0'),
       initcap((${categories})[1 + g % ${CATEGORIES.length}]) || ' item ' || g,
       'Product number ' || g,
       (${categories})[1 + g % ${CATEGORIES.length}],
       100 + (g * 37) % 10000,
       1000000
FROM generate_series(1, ${Math.max(0, Math.floor(count))}) AS g
WHERE NOT EXISTS (SELECT 1 FROM products)
`
}
