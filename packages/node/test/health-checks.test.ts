import { createRequire } from 'node:module'
import { afterAll, describe, expect, it } from 'vitest'
import { checks } from '../src/health/checks/index.js'
import { loadDriver } from '../src/health/drivers.js'
import { HealthRegistry } from '../src/health/registry.js'
import { setLogSink } from '../src/logger.js'

const require = createRequire(import.meta.url)
const pg = require('pg') as typeof import('pg')
const mysql2 = require('mysql2') as typeof import('mysql2')
const mysql2Promise = require('mysql2/promise') as typeof import('mysql2/promise')
const { Redis } = require('ioredis') as typeof import('ioredis')

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test'
const MYSQL_URL = 'mysql://root@127.0.0.1:3306/test'

const pool = new pg.Pool({ connectionString: PG_URL, max: 1 })
const client = new pg.Client({ connectionString: PG_URL })
const mysqlPool = mysql2.createPool({ uri: MYSQL_URL, connectionLimit: 1 })
const mysqlPromisePool = mysql2Promise.createPool({ uri: MYSQL_URL, connectionLimit: 1 })
const redisClient = new Redis('redis://127.0.0.1:6379', { lazyConnect: true })
const closedRedis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true })

afterAll(async () => {
  await pool.end()
  await client.end().catch(() => {})
  await new Promise((r) => mysqlPool.end(r))
  await mysqlPromisePool.end()
  redisClient.disconnect()
})

describe('built-in dependency checks against real services', () => {
  it('PostgreSQL, MariaDB and Redis go up through clients and through URLs', async () => {
    await client.connect()
    await redisClient.connect()
    const registry = new HealthRegistry()
    registry.register('pg-pool', checks.postgres(pool))
    registry.register('pg-client', checks.postgres(client))
    registry.register('pg-url', checks.postgres(PG_URL))
    registry.register('mysql-pool', checks.mysql(mysqlPool))
    registry.register('mysql-promise', checks.mysql(mysqlPromisePool))
    registry.register('mariadb-url', checks.mysql('mariadb://root@127.0.0.1:3306/test'))
    registry.register('redis-client', checks.redis(redisClient))
    registry.register('redis-url', checks.redis('redis://127.0.0.1:6379/0'))
    const report = await registry.check()
    for (const [name, state] of Object.entries(report.checks)) {
      expect({ name, status: state.status, lastError: state.lastError }).toEqual({
        name,
        status: 'up',
        lastError: null,
      })
      expect(state.durationMs).toBeGreaterThan(0)
    }
    expect(report.status).toBe('up')
    await registry.reset()
  })

  it('goes down with the driver error when the dependency refuses or rejects', async () => {
    const registry = new HealthRegistry()
    registry.register('pg-baddb', checks.postgres('postgres://postgres@127.0.0.1:5432/otelkit_no_such_db'))
    registry.register('pg-refused', checks.postgres('postgres://postgres@127.0.0.1:1/test'))
    registry.register('mysql-baddb', checks.mysql('mysql://root@127.0.0.1:3306/otelkit_no_such_db'))
    registry.register('redis-refused', checks.redis('redis://127.0.0.1:1'))
    closedRedis.disconnect()
    registry.register('redis-closed-client', checks.redis(closedRedis))
    registry.register('pg-bad-sql', checks.postgres(pool, { query: 'SELECT * FROM otelkit_no_such_table' }))
    const report = await registry.check()
    expect(report.checks['pg-baddb']?.lastError).toContain('otelkit_no_such_db')
    expect(report.checks['pg-refused']?.lastError).toMatch(/ECONNREFUSED/)
    expect(report.checks['mysql-baddb']?.lastError).toContain('otelkit_no_such_db')
    expect(report.checks['redis-refused']?.lastError).toMatch(/ECONNREFUSED|Connection is closed/)
    expect(report.checks['redis-closed-client']?.lastError).toBe('redis client is end')
    expect(report.checks['pg-bad-sql']?.lastError).toContain('otelkit_no_such_table')
    for (const state of Object.values(report.checks)) expect(state.status).toBe('down')
    await registry.reset()
  })

  it('keeps one PostgreSQL connection for a URL check between runs and closes it with the check', async () => {
    const appName = `otelkit-test-${process.pid}-${Date.now()}`
    const check = checks.postgres(`${PG_URL}?application_name=${appName}`)
    const registry = new HealthRegistry({ coalesceWindowMs: 0 })
    registry.register('pg-pooled', check)
    for (let i = 0; i < 3; i++) expect((await registry.check()).checks['pg-pooled']?.status).toBe('up')
    const count = async () => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [appName],
      )
      return rows[0]?.n
    }
    expect(await count()).toBe(1)
    await registry.reset()
    for (let i = 0; i < 200 && (await count()) !== 0; i++) await new Promise((r) => setTimeout(r, 10))
    expect(await count()).toBe(0)
  })

  it('reports a driver the application lacks in one clear line, once', () => {
    const logs: string[] = []
    setLogSink((line) => logs.push(line))
    const message =
      "the postgres check needs the 'otelkit-no-such-driver' package; install it in the application (npm install otelkit-no-such-driver)"
    expect(() => loadDriver('otelkit-no-such-driver', 'postgres')).toThrow(message)
    expect(() => loadDriver('otelkit-no-such-driver', 'postgres')).toThrow(message)
    expect(logs).toEqual([`[otelkit] warn: OTELKIT_HEALTH_DRIVER_MISSING: ${message}`])
  })
})
