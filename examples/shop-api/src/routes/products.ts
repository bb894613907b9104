/** Product reads: list (paginated), search by name, by id (PostgreSQL row + live reservations from Redis). */
import { Router } from 'express'
import { settings } from '../config.js'
import { pool, redis } from '../db.js'
import { HttpError, positiveInt } from '../http-errors.js'

export const productsRouter = Router()

const COLUMNS = 'id, sku, name, category, price_cents, stock'

productsRouter.get('/', async (req, res) => {
  const page = positiveInt(req.query.page, 'page', 1, 10_000)
  const limit = positiveInt(req.query.limit, 'limit', 20, 100)
  const category = typeof req.query.category === 'string' ? req.query.category : undefined
  const params: unknown[] = [limit, (page - 1) * limit]
  let where = ''
  if (category) {
    params.push(category)
    where = 'WHERE category = $3'
  }
  const { rows } = await pool.query(
    `SELECT ${COLUMNS} FROM products ${where} ORDER BY id LIMIT $1 OFFSET $2`,
    params,
  )
  res.json({ page, limit, products: rows })
})

productsRouter.get('/search', async (req, res) => {
  const q = typeof req.query.q === 'string' ? req.query.q.trim().toLowerCase() : ''
  if (q.length < 2) throw new HttpError(400, 'q must have at least 2 characters')
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const { rows } = await pool.query(
    `SELECT ${COLUMNS} FROM products WHERE lower(name) LIKE $1 ORDER BY id LIMIT 20`,
    [pattern],
  )
  res.json({ q, products: rows })
})

productsRouter.get('/:id', async (req, res) => {
  const id = positiveInt(req.params.id, 'id')
  const [{ rows }, reserved] = await Promise.all([
    pool.query(`SELECT ${COLUMNS} FROM products WHERE id = $1`, [id]),
    redis.get(`${settings.redisPrefix}reserved:${id}`),
  ])
  const product = rows[0]
  if (!product) throw new HttpError(404, `product ${id} not found`)
  res.json({ ...product, available: product.stock - Number(reserved ?? 0) })
})
