/**
 * Cached product reads: the response cache (HTTP caching rules, ETag/304, X-Cache) in front of
 * the query cache (rows cached by statement and parameters, tagged for invalidation).
 * GET /products/:id stays uncached (PostgreSQL + live reservations from Redis) to compare.
 */
import { cacheResponses } from '@otelkit/cache/express'
import { type Request, Router } from 'express'
import { cache, productTags } from '../cache.js'
import { pool } from '../db.js'
import { HttpError, positiveInt } from '../http-errors.js'

export const catalogRouter = Router()

const COLUMNS = 'id, sku, name, category, price_cents, stock'

catalogRouter.get(
  '/products',
  cacheResponses(cache, { ttl: '30s', tags: ['products'] }),
  async (req, res) => {
    const page = positiveInt(req.query.page, 'page', 1, 10_000)
    const limit = positiveInt(req.query.limit, 'limit', 20, 100)
    const { rows } = await cache.query(
      pool,
      `SELECT ${COLUMNS} FROM products ORDER BY id LIMIT $1 OFFSET $2`,
      [limit, (page - 1) * limit],
      { ttl: '1m', tags: ['products'] },
    )
    res.set('cache-control', 'public, max-age=30').json({ page, limit, products: rows })
  },
)

catalogRouter.get(
  '/products/:id',
  cacheResponses(cache, { ttl: '30s', tags: (req) => productTags(Number((req as Request).params.id)) }),
  async (req, res) => {
    const id = positiveInt(req.params.id, 'id')
    const { rows } = await cache.query(pool, `SELECT ${COLUMNS} FROM products WHERE id = $1`, [id], {
      ttl: '5m',
      tags: productTags(id),
    })
    if (!rows[0]) throw new HttpError(404, `product ${id} not found`)
    res.set('cache-control', 'public, max-age=30').json(rows[0])
  },
)
