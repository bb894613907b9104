// Cold-start app, CommonJS: Express 5 + pg + ioredis. Every request runs one PostgreSQL query and
// one Redis GET against the services of scripts/ensure-services.sh. Prints "listening <port>".
const express = require('express')
const { Pool } = require('pg')
const Redis = require('ioredis')

const pool = new Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 4,
})
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 })

const app = express()
app.get('/items/:id', async (req, res, next) => {
  try {
    const [{ rows }, cached] = await Promise.all([
      pool.query('SELECT $1::int AS id, now() AS at', [Number(req.params.id)]),
      redis.get(`bench:cold:${req.params.id}`),
    ])
    res.json({ id: rows[0].id, cached })
  } catch (error) {
    next(error)
  }
})
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`)
})
