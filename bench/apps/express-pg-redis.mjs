// Express 5 + PostgreSQL + Redis app for the overhead benchmark: `GET /items/:id` runs one pg
// query and one Redis GET in parallel and answers with both. On start it creates and fills its
// own table (bench_items) and keys (bench:item:<id>), then prints `listening <port>`.
import express from 'express'
import { Redis } from 'ioredis'
import pg from 'pg'

const ITEMS = 1000
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 10,
})
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')

await pool.query(
  'CREATE TABLE IF NOT EXISTS bench_items (id integer PRIMARY KEY, name text NOT NULL, price integer NOT NULL)',
)
await pool.query(
  `INSERT INTO bench_items (id, name, price)
   SELECT i, 'item ' || i, i * 3 FROM generate_series(1, ${ITEMS}) AS i
   ON CONFLICT (id) DO NOTHING`,
)
const pipeline = redis.pipeline()
for (let i = 1; i <= ITEMS; i++) pipeline.set(`bench:item:${i}`, String(i % 50), 'EX', 3600)
await pipeline.exec()

const app = express()
app.get('/items/:id', async (req, res, next) => {
  try {
    const id = Number(req.params.id)
    const [result, stock] = await Promise.all([
      pool.query('SELECT id, name, price FROM bench_items WHERE id = $1', [id]),
      redis.get(`bench:item:${id}`),
    ])
    const row = result.rows[0]
    if (row === undefined) {
      res.status(404).json({ error: 'not found' })
      return
    }
    res.json({ ...row, stock: Number(stock ?? 0) })
  } catch (error) {
    next(error)
  }
})

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
process.on('SIGTERM', () => {
  server.close(() => {
    Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0))
  })
})
