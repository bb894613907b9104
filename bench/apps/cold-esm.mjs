// Cold-start app, ES modules: Express 5 + pg + mysql2 + ioredis + node-redis. Every request runs
// one PostgreSQL query, one MariaDB query and a GET on each Redis client, against the services of
// scripts/ensure-services.sh. Prints "listening <port>".
import express from 'express'
import { Redis } from 'ioredis'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { createClient } from 'redis'

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 4,
})
const maria = mysql.createPool({
  host: '127.0.0.1',
  port: 3306,
  user: 'root',
  database: 'test',
  connectionLimit: 4,
})
const ioredis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 })
const nodeRedis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
const connected = nodeRedis.connect()

const app = express()
app.get('/items/:id', async (req, res, next) => {
  try {
    await connected
    const id = Number(req.params.id)
    const [{ rows }, [mrows], a, b] = await Promise.all([
      pool.query('SELECT $1::int AS id, now() AS at', [id]),
      maria.query('SELECT ? AS id', [id]),
      ioredis.get(`bench:cold:${id}`),
      nodeRedis.get(`bench:cold:${id}`),
    ])
    res.json({ id: rows[0].id, maria: mrows[0].id, cached: a ?? b })
  } catch (error) {
    next(error)
  }
})
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`)
})
