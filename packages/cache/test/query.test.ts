/** Query caching against the real PostgreSQL: rows cached by SQL + parameters, invalidated by tag on writes. */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache, queryKey } from '../src/index.js'
import { cleanPrefix, randomPrefix, sharedRedis } from './support/redis.js'

const redis = sharedRedis()
const prefix = randomPrefix('query')
const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 2 })
const table = `otelkit_cache_query_${Math.random().toString(36).slice(2, 10)}`

/** Counts the queries that reach PostgreSQL. */
const counted = {
  count: 0,
  query(sql: string, params?: unknown[]) {
    counted.count++
    return pool.query(sql, params)
  },
}

beforeAll(async () => {
  await pool.query(`CREATE TABLE ${table} (id int primary key, name text, price_cents int)`)
  await pool.query(`INSERT INTO ${table} VALUES (1, 'tea', 300), (2, 'coffee', 450)`)
})
afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.end()
  await cleanPrefix(redis, prefix)
  redis.disconnect()
})

describe('cache.query', () => {
  it('caches rows by SQL and parameters and invalidates them by tag on writes', async () => {
    const cache = createCache({ name: 'query', prefix, redis, commandTimeout: '2s' })
    await cache.ready()
    const sql = `SELECT id, name, price_cents FROM ${table} WHERE id = $1`
    const first = await cache.query<{ id: number; name: string }>(counted, sql, [1], {
      ttl: '1m',
      tags: ['products', 'product:1'],
    })
    expect(first.rows).toEqual([{ id: 1, name: 'tea', price_cents: 300 }])
    expect(first.rowCount).toBe(1)
    expect((await cache.query(counted, sql, [1], { tags: ['products', 'product:1'] })).rows[0]).toMatchObject(
      { name: 'tea' },
    )
    expect(counted.count).toBe(1)
    await cache.query(counted, sql, [2], { tags: ['products', 'product:2'] })
    expect(counted.count).toBe(2)
    expect(queryKey(sql, [1])).not.toBe(queryKey(sql, [2]))

    await pool.query(`UPDATE ${table} SET name = 'green tea' WHERE id = 1`)
    await cache.invalidateTags(['product:1'])
    expect((await cache.query(counted, sql, [1], { tags: ['products', 'product:1'] })).rows[0]).toMatchObject(
      {
        name: 'green tea',
      },
    )
    expect(counted.count).toBe(3)
    await cache.query(counted, sql, [2], { tags: ['products', 'product:2'] })
    expect(counted.count).toBe(3)
    await cache.close()
  })
})
