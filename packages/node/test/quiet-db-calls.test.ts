/**
 * Database calls that make no span (trace/quiet-calls.ts), in process against the real PostgreSQL
 * and Redis of ensure-services.sh, with otelkit's own processors only: under an unsampled parent,
 * pg queries and ioredis commands are counted in db.client.operation.duration with the labels and
 * counts their spans give under a sampled parent, and in the query log; a failed call still makes
 * its span afterwards (error tracking counts it, with its own duration); a slow query makes its
 * span (the slow-query log names it) and is counted once, not twice. A rejected CLIENT SETINFO,
 * which clients send on every connection and ignore the failure of, is no error.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Context, context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSdk, shutdown, start } from '../src/index.js'
import { setLogSink } from '../src/logger.js'
import { waitFor } from './support/eventually.js'
import { startTestRedis, type TestRedis } from './support/redis-server.js'
import { PACKAGE_DIR, sdkMetrics, seriesValue } from './support/service.js'

const URL = 'postgres://postgres@127.0.0.1:5432/test'
const TOKEN = 'quiet-calls-debug-token-0123456789'

interface PgPool {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
  end(): Promise<void>
}
interface RedisClient {
  get(key: string): Promise<string | null>
  hget(key: string, field: string): Promise<string | null>
  set(key: string, value: string): Promise<unknown>
  client(...args: string[]): Promise<unknown>
  quit(): Promise<unknown>
}

/** A context whose active span is a remote parent, sampled or not (the default sampler follows it). */
function remoteParent(sampled: boolean): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: sampled ? '0af7651916cd43dd8448eb211c80319c' : '1af7651916cd43dd8448eb211c80319d',
    spanId: sampled ? 'b7ad6b7169203331' : 'c7ad6b7169203332',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  })
}

describe('database calls under an unsampled parent, with otelkit’s processors only', () => {
  let sdk: RunningSdk
  let pool: PgPool
  let redis: RedisClient
  let redisServer: TestRedis
  let RedisClass: new (url: string) => RedisClient
  const table = `quiet_calls_${process.pid}`

  beforeAll(async () => {
    redisServer = await startTestRedis()
    sdk = start({
      serviceName: 'quiet-calls',
      tracesExporter: ['none'],
      metricsExporter: ['prometheus'],
      opsPort: 0,
      debugToken: TOKEN,
      slowQueryMs: 150,
      metricsCacheMs: 0,
    })
    const load = createRequire(join(PACKAGE_DIR, 'package.json'))
    const pg = load('pg') as { Pool: new (options: object) => PgPool }
    RedisClass = (load('ioredis') as { Redis: new (url: string) => RedisClient }).Redis
    pool = new pg.Pool({ connectionString: URL, max: 2 })
    redis = new RedisClass(redisServer.url)
    await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (id integer PRIMARY KEY, name text)`)
    await pool.query(`INSERT INTO ${table} VALUES (1, 'one') ON CONFLICT (id) DO NOTHING`)
    await redis.set('quiet:item:1', 'one')
    await waitFor('the ops server to listen', () => sdk.opsPort() !== undefined)
  })
  afterAll(async () => {
    await pool?.query(`DROP TABLE IF EXISTS ${table}`)
    await pool?.end()
    await redis?.quit()
    await shutdown()
    await redisServer?.kill()
  })

  const scrape = () => sdkMetrics(sdk)
  const durationCount = (text: string, labels: string[]) =>
    seriesValue(text, 'db_client_operation_duration_seconds_count', labels)
  const SELECT = [
    'db_system_name="postgresql"',
    'db_operation_name="SELECT"',
    `db_collection_name="${table}"`,
  ]
  const GET = ['db_system_name="redis"', 'db_operation_name="GET"']
  const HGET = ['db_system_name="redis"', 'db_operation_name="HGET"']

  /** Runs `n` queries and `n` GETs under the parent, in parallel pairs as a request does. */
  async function calls(parent: Context, n: number): Promise<void> {
    await context.with(parent, async () => {
      for (let i = 0; i < n; i++) {
        await Promise.all([
          pool.query(`SELECT id, name FROM ${table} WHERE id = $1`, [1]),
          redis.get('quiet:item:1'),
        ])
      }
    })
  }

  it('counts every call with the labels and counts its span gives under a sampled parent', async () => {
    const before = await scrape()
    await calls(remoteParent(true), 5)
    const sampled = await scrape()
    await calls(remoteParent(false), 7)
    const unsampled = await scrape()
    expect(durationCount(sampled, SELECT) - durationCount(before, SELECT)).toBe(5)
    expect(durationCount(sampled, GET) - durationCount(before, GET)).toBe(5)
    expect(durationCount(unsampled, SELECT) - durationCount(sampled, SELECT)).toBe(7)
    expect(durationCount(unsampled, GET) - durationCount(sampled, GET)).toBe(7)
    // The same series, not new ones: the series of the durations, by their labels, are unchanged.
    const series = (text: string) =>
      text.split('\n').filter((l) => l.startsWith('db_client_operation_duration_seconds_count{')).length
    expect(series(unsampled)).toBe(series(sampled))
    // Durations, not zeros: a round trip to each server.
    const sum = (text: string, labels: string[]) =>
      seriesValue(text, 'db_client_operation_duration_seconds_sum', labels)
    expect(sum(unsampled, SELECT) - sum(sampled, SELECT)).toBeGreaterThan(0)
    expect(sum(unsampled, GET) - sum(sampled, GET)).toBeGreaterThan(0)
    // The query log has every query, by its normalised statement.
    const res = await fetch(`http://127.0.0.1:${sdk.opsPort()}/debug/queries?limit=500`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    const { statements } = (await res.json()) as { statements: Array<{ statement: string; count: number }> }
    const logged = statements.find((s) => s.statement === `SELECT id, name FROM ${table} WHERE id = ?`)
    expect(logged?.count).toBe(12)
  })

  it('makes the span of a call that failed, afterwards: error tracking counts it', async () => {
    const errors = (text: string) => seriesValue(text, 'otelkit_errors_total')
    const before = await scrape()
    await context.with(remoteParent(false), async () => {
      await expect(pool.query(`SELECT nope FROM ${table}`)).rejects.toThrow(/nope/)
      // HGET on a string key: WRONGTYPE.
      await expect(redis.hget('quiet:item:1', 'field')).rejects.toThrow(/WRONGTYPE/)
    })
    const after = await scrape()
    expect(errors(after) - errors(before)).toBe(2)
    const failedSelect = [...SELECT.slice(0, 2), 'error_type="42703"']
    expect(durationCount(after, failedSelect) - durationCount(before, failedSelect)).toBe(1)
    const failedGet = [...HGET, 'error_type="ReplyError"']
    expect(durationCount(after, failedGet) - durationCount(before, failedGet)).toBe(1)
  })

  it('makes the span of a slow query (the slow-query log names it) and counts it once', async () => {
    const sleeps = ['db_system_name="postgresql"', 'db_operation_name="SELECT"']
    const lines: string[] = []
    setLogSink((line) => lines.push(line))
    const before = await scrape()
    try {
      await context.with(remoteParent(false), () => pool.query('SELECT pg_sleep(0.2)'))
    } finally {
      setLogSink((line) => process.stderr.write(`${line}\n`))
    }
    const after = await scrape()
    expect(durationCount(after, sleeps) - durationCount(before, sleeps)).toBe(1)
    const slow = seriesValue(after, 'db_client_operation_duration_seconds_sum', sleeps)
    expect(slow - seriesValue(before, 'db_client_operation_duration_seconds_sum', sleeps)).toBeGreaterThan(
      0.19,
    )
    // The log line names the query's own span, in the unsampled parent's trace.
    const logged = lines.filter((l) => l.includes('slow query') && l.includes('pg_sleep'))
    expect(logged).toHaveLength(1)
    expect(logged[0]).toContain('1af7651916cd43dd8448eb211c80319d')
    const spanId = /span_id[^0-9a-f]+([0-9a-f]{16})/.exec(logged[0] ?? '')?.[1]
    expect(spanId).toBeDefined()
    expect(spanId).not.toBe('c7ad6b7169203332')
  })

  it('records a rejected CLIENT SETINFO, which clients ignore, as no error, sampled or not', async () => {
    const CLIENT = ['db_system_name="redis"', 'db_operation_name="CLIENT"']
    const errors = (text: string) => seriesValue(text, 'otelkit_errors_total')
    const before = await scrape()
    // A new connection's handshake sends CLIENT SETINFO twice (rejected by Redis before 7.2).
    const second = new RedisClass(redisServer.url)
    await second.get('quiet:item:1')
    // An attribute no Redis knows: rejected by every version.
    for (const sampled of [true, false]) {
      await context.with(remoteParent(sampled), async () => {
        await expect(second.client('SETINFO', 'NO-SUCH-ATTRIBUTE', 'x')).rejects.toThrow(/ERR/)
      })
    }
    // Any other failed CLIENT call is an error.
    await context.with(remoteParent(true), async () => {
      await expect(second.client('NO-SUCH-SUBCOMMAND')).rejects.toThrow(/ERR/)
    })
    await second.quit()
    const after = await scrape()
    expect(errors(after) - errors(before)).toBe(1)
    const failed = [...CLIENT, 'error_type="ReplyError"']
    expect(durationCount(after, failed) - durationCount(before, failed)).toBe(1)
    // The handshake's two SETINFO and the two explicit ones count as succeeded calls.
    const succeeded = (text: string) =>
      text
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('db_client_operation_duration_seconds_count{') &&
            CLIENT.every((label) => l.includes(label)) &&
            !l.includes('error_type='),
        )
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
    expect(succeeded(after) - succeeded(before)).toBe(4)
  })

  it("clears the failure of node-redis's rejected CLIENT SETINFO (the upstream instrumentation's span)", async () => {
    const CLIENT = ['db_system_name="redis"', 'db_operation_name="CLIENT"']
    const errors = (text: string) => seriesValue(text, 'otelkit_errors_total')
    const failed = [...CLIENT, 'error_type=']
    const load = createRequire(join(PACKAGE_DIR, 'package.json'))
    const { createClient } = load('redis') as {
      createClient(options: { url: string }): {
        connect(): Promise<unknown>
        sendCommand(args: string[]): Promise<unknown>
        quit(): Promise<unknown>
      }
    }
    const client = createClient({ url: redisServer.url })
    await client.connect()
    const before = await scrape()
    await context.with(remoteParent(true), async () => {
      await expect(client.sendCommand(['CLIENT', 'SETINFO', 'NO-SUCH-ATTRIBUTE', 'x'])).rejects.toThrow(/ERR/)
    })
    const cleared = await scrape()
    // Any other failed CLIENT call is an error.
    await context.with(remoteParent(true), async () => {
      await expect(client.sendCommand(['CLIENT', 'NO-SUCH-SUBCOMMAND'])).rejects.toThrow(/ERR/)
    })
    const after = await scrape()
    await client.quit()
    expect(errors(cleared) - errors(before)).toBe(0)
    expect(durationCount(cleared, failed) - durationCount(before, failed)).toBe(0)
    expect(durationCount(cleared, CLIENT) - durationCount(before, CLIENT)).toBe(1)
    expect(errors(after) - errors(cleared)).toBe(1)
    expect(durationCount(after, failed) - durationCount(cleared, failed)).toBe(1)
  })
})
