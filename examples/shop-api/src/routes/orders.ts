/** POST /orders: validates the basket and places the order in one transaction (row locks on the products). */
import { Router } from 'express'
import { cache, productTags } from '../cache.js'
import { pool } from '../db.js'
import { HttpError, positiveInt } from '../http-errors.js'

export const ordersRouter = Router()

interface Line {
  productId: number
  quantity: number
}

function parseOrder(body: unknown): { email: string; lines: Line[] } {
  const b = (body ?? {}) as { email?: unknown; items?: unknown }
  const email = typeof b.email === 'string' && /^[^@\s]+@[^@\s]+$/.test(b.email) ? b.email : undefined
  if (!email) throw new HttpError(400, 'email must be an e-mail address')
  if (!Array.isArray(b.items) || b.items.length === 0 || b.items.length > 50) {
    throw new HttpError(400, 'items must be a list of 1 to 50 { productId, quantity }')
  }
  const merged = new Map<number, number>()
  for (const item of b.items as Array<Record<string, unknown>>) {
    const productId = positiveInt(item?.productId, 'items[].productId')
    const quantity = positiveInt(item?.quantity, 'items[].quantity', undefined, 100)
    merged.set(productId, (merged.get(productId) ?? 0) + quantity)
  }
  return { email, lines: [...merged].map(([productId, quantity]) => ({ productId, quantity })) }
}

ordersRouter.post('/', async (req, res) => {
  const { email, lines } = parseOrder(req.body)
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const ids = lines.map((l) => l.productId)
    const { rows } = await client.query<{ id: number; price_cents: number; stock: number }>(
      'SELECT id, price_cents, stock FROM products WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE',
      [ids],
    )
    const byId = new Map(rows.map((r) => [r.id, r]))
    let total = 0
    for (const line of lines) {
      const product = byId.get(line.productId)
      if (!product) throw new HttpError(404, `product ${line.productId} not found`)
      if (product.stock < line.quantity)
        throw new HttpError(409, `product ${line.productId} has only ${product.stock} left`)
      total += product.price_cents * line.quantity
    }
    const order = await client.query<{ id: string }>(
      'INSERT INTO orders (customer_email, total_cents) VALUES ($1, $2) RETURNING id',
      [email, total],
    )
    const orderId = order.rows[0]?.id
    await client.query(
      `INSERT INTO order_items (order_id, product_id, quantity, price_cents)
       SELECT $1, p.id, l.quantity, p.price_cents
       FROM unnest($2::int[], $3::int[]) AS l(product_id, quantity) JOIN products p ON p.id = l.product_id`,
      [orderId, ids, lines.map((l) => l.quantity)],
    )
    await client.query(
      `UPDATE products p SET stock = p.stock - l.quantity
       FROM unnest($1::int[], $2::int[]) AS l(product_id, quantity) WHERE p.id = l.product_id`,
      [ids, lines.map((l) => l.quantity)],
    )
    await client.query('COMMIT')
    // Stock changed: drop every cached read of these products (query and response caches).
    await cache.invalidateTags([...new Set(ids.flatMap(productTags))])
    res.status(201).json({ id: Number(orderId), totalCents: total, items: lines })
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
})
