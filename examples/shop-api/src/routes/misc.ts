/**
 * The endpoints that exist to show telemetry: a slow report, a failing endpoint, a call to an
 * upstream over fetch, and the upstream itself (pricing).
 */
import { Router } from 'express'
import { settings } from '../config.js'
import { pool } from '../db.js'
import { HttpError } from '../http-errors.js'

export const miscRouter = Router()

miscRouter.get('/reports/slow', async (_req, res) => {
  await pool.query('SELECT pg_sleep(0.25)')
  const { rows } = await pool.query(
    `SELECT p.id, p.name, sum(i.quantity)::int AS sold, sum(i.quantity * i.price_cents)::bigint AS revenue_cents
     FROM orders o JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id
     WHERE o.created_at > now() - interval '1 day'
     GROUP BY p.id, p.name ORDER BY revenue_cents DESC LIMIT 10`,
  )
  res.json({ window: '1 day', top: rows })
})

miscRouter.get('/fail', () => {
  throw new HttpError(500, 'payment provider rejected the request')
})

miscRouter.get('/upstream', async (_req, res) => {
  const url = settings.upstreamUrl ?? `http://127.0.0.1:${settings.port}/internal/pricing`
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
  if (!response.ok) throw new HttpError(502, `upstream answered ${response.status}`)
  res.json({ upstream: url, pricing: await response.json() })
})

miscRouter.get('/internal/pricing', (_req, res) => {
  res.json({ currency: 'EUR', vatRate: 0.2, updatedAt: new Date().toISOString() })
})
