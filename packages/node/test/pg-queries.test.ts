/**
 * The pg instrumentation in process, against the real PostgreSQL of ensure-services.sh: a query
 * given a callback is traced from its call to its settling, under the caller's span; the callback
 * (and a failed query's error) reaches the caller in the caller's context, with pg's usual return
 * value; promise queries, row modes and prepared statements keep working; shutdown puts pg's own
 * methods back.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shutdown, start } from '../src/index.js'
import { PACKAGE_DIR } from './support/service.js'
import { spanCollector } from './support/span-collector.js'

const URL = 'postgres://postgres@127.0.0.1:5432/test'

interface QueryResult {
  rows: unknown[]
}
type Callback = (error: (Error & { code?: string }) | null, result: QueryResult | undefined) => void
interface PgClient {
  query(text: string | object, values?: unknown[] | Callback, callback?: Callback): unknown
  release(): void
}
interface PgPool extends PgClient {
  connect(): Promise<PgClient>
  end(): Promise<void>
  on(event: 'release', listener: () => void): void
}

interface PgExports {
  Pool: (new (options: object) => PgPool) & { prototype: Record<string, unknown> }
  Client: { prototype: Record<string, unknown> }
}

/** Whether `method` is a wrapper otelkit installed (prototype-patch.ts keeps the original on it). */
const patched = (method: unknown) => (method as { __otelkit?: unknown }).__otelkit !== undefined

describe('pg queries', () => {
  const collector = spanCollector()
  let pool: PgPool
  let Pool: new (options: object) => PgPool
  let pgExports: PgExports
  const tracer = () => trace.getTracer('pg-queries-test')
  const active = () => trace.getActiveSpan()?.spanContext().spanId
  const queriesUnder = (parent: ReadableSpan | undefined) =>
    collector.ended.filter(
      (s) => s.kind === SpanKind.CLIENT && s.parentSpanContext?.spanId === parent?.spanContext().spanId,
    )
  const named = (name: string) => collector.ended.find((s) => s.name === name)

  beforeAll(async () => {
    start({
      serviceName: 'pg-queries',
      tracesExporter: ['none'],
      metricsExporter: ['none'],
      opsPort: 0,
      spanProcessors: [collector],
    })
    // Through require, as an application loads pg: the instrumentation patches it on load.
    pgExports = createRequire(join(PACKAGE_DIR, 'package.json'))('pg') as PgExports
    Pool = pgExports.Pool
    pool = new Pool({ connectionString: URL, max: 2 })
    // Both connections opened outside any span: pg reads their answers in that context, so what
    // the tests see is the instrumentation restoring the caller's, not the socket's own.
    await Promise.all([pool.query('SELECT pg_sleep(0.05)'), pool.query('SELECT pg_sleep(0.05)')])
  })
  afterAll(async () => {
    await pool?.end()
    await shutdown()
  })

  it('calls a query callback in the caller context, after the query span ended, and returns what pg returns', async () => {
    const seen = await tracer().startActiveSpan('caller', async (caller) => {
      const client = await pool.connect()
      const outcome = await new Promise<{
        error: unknown
        spanId?: string
        rows?: unknown[]
        returned: unknown
      }>((resolve) => {
        const returned = client.query('SELECT $1::int AS n', [42], (error, result) => {
          resolve({ error, spanId: active(), rows: result?.rows, returned })
        })
      })
      client.release()
      caller.end()
      return { ...outcome, callerId: caller.spanContext().spanId }
    })
    expect(seen.error).toBeNull()
    expect(seen.rows).toEqual([{ n: 42 }])
    expect(seen.spanId).toBe(seen.callerId)
    expect(seen.returned).toBeUndefined()
    const [query] = queriesUnder(named('caller'))
    expect(query?.name).toBe('SELECT')
    expect(query?.attributes['db.query.text']).toBe('SELECT ?::int AS n')
    expect(query?.ended).toBe(true)
    // Traced from call to settling: a round trip to the server, not zero.
    expect(query?.duration[0] === 0 && query?.duration[1] === 0).toBe(false)
  })

  it.each([
    ['after a config object', { text: 'SELECT pg_sleep(0.05), $1::int AS n', values: [5] }, []],
    ['followed by an explicit undefined', 'SELECT pg_sleep(0.05), 5 AS n', [undefined]],
  ])('reads the callback where pg does: the second argument %s', async (label, config, rest) => {
    const name = `callback ${label}`
    const seen = await tracer().startActiveSpan(name, async (caller) => {
      const client = await pool.connect()
      const outcome = await new Promise<{ spanId?: string; rows?: unknown[] }>((resolve, reject) => {
        const callback: Callback = (error, result) =>
          error ? reject(error) : resolve({ spanId: active(), rows: result?.rows })
        ;(client.query as (...args: unknown[]) => unknown)(config, callback, ...rest)
      })
      client.release()
      caller.end()
      return { ...outcome, callerId: caller.spanContext().spanId }
    })
    expect(seen.rows).toEqual([{ pg_sleep: '', n: 5 }])
    expect(seen.spanId).toBe(seen.callerId)
    const [query] = queriesUnder(named(name))
    expect(query?.ended).toBe(true)
    // Ended when the query settled, not when it was sent: the server slept 50 ms.
    const durationMs = (query?.duration[0] ?? 0) * 1000 + (query?.duration[1] ?? 0) / 1e6
    expect(durationMs).toBeGreaterThanOrEqual(45)
  })

  it('hands a failed query its error in the caller context and marks the span', async () => {
    const seen = await tracer().startActiveSpan('failing caller', async (caller) => {
      const outcome = await new Promise<{ spanId?: string; code?: string }>((resolve) => {
        pool.query('SELECT nope FROM no_such_table', (error) => {
          resolve({ spanId: active(), code: error?.code })
        })
      })
      caller.end()
      return { ...outcome, callerId: caller.spanContext().spanId }
    })
    expect(seen.code).toBe('42P01')
    expect(seen.spanId).toBe(seen.callerId)
    const [query] = queriesUnder(named('failing caller'))
    expect(query?.status.code).toBe(SpanStatusCode.ERROR)
    expect(query?.attributes['error.type']).toBe('42P01')
    expect(query?.events.map((e) => e.name)).toContain('exception')
  })

  it('keeps promise queries, row modes and prepared statements working, each under its caller', async () => {
    const rows = await tracer().startActiveSpan('promise caller', async (caller) => {
      const arrays = (await pool.query({
        text: 'SELECT 1 AS one, 2 AS two',
        rowMode: 'array',
      })) as QueryResult
      const first = (await pool.query({
        name: 'otelkit-test-p',
        text: 'SELECT $1::text AS t',
        values: ['a'],
      })) as QueryResult
      const again = (await pool.query({
        name: 'otelkit-test-p',
        text: 'SELECT $1::text AS t',
        values: ['b'],
      })) as QueryResult
      caller.end()
      return [arrays.rows, first.rows, again.rows]
    })
    expect(rows).toEqual([[[1, 2]], [{ t: 'a' }], [{ t: 'b' }]])
    expect(queriesUnder(named('promise caller'))).toHaveLength(3)
  })

  it("runs pg-pool's own callback of a promise query as pg calls it, and hands waiting callers the client in their own context", async () => {
    // One connection, opened outside any span: pg reads its answers where no span is active.
    const single = new Pool({ connectionString: URL, max: 1 })
    await single.query('SELECT 1')
    // pg-pool releases the client inside the query's callback: its listener sees where that runs.
    const released: Array<string | undefined> = []
    single.on('release', () => released.push(active()))
    try {
      const ids = await Promise.all([
        tracer().startActiveSpan('promise holder', async (span) => {
          await single.query('SELECT pg_sleep(0.05)')
          span.end()
          return { id: span.spanContext().spanId, after: active() }
        }),
        tracer().startActiveSpan('callback waiter', async (span) => {
          const seen = await new Promise<string | undefined>((resolve) => {
            single.query('SELECT 2 AS n', () => resolve(active()))
          })
          span.end()
          return { id: span.spanContext().spanId, after: seen }
        }),
        tracer().startActiveSpan('promise waiter', async (span) => {
          await single.query('SELECT 3 AS n')
          span.end()
          return { id: span.spanContext().spanId, after: active() }
        }),
      ])
      // Every caller continues in its own context, whichever query released the client to it.
      for (const { id, after } of ids) expect(after).toBe(id)
      for (const name of ['promise holder', 'callback waiter', 'promise waiter']) {
        expect(queriesUnder(named(name))).toHaveLength(1)
      }
      // A promise query's release runs where pg answered (no caller context entered for
      // pg-pool's own callback); a callback query's runs in its caller's context.
      expect(released).toEqual([undefined, ids[1]?.id, undefined])
    } finally {
      await single.end()
    }
  })

  it("puts pg's client and pool methods back on shutdown, and pg's queries keep working", async () => {
    const client = pgExports.Client.prototype
    const pooled = pgExports.Pool.prototype
    const methods = () => [client.query, pooled.connect, pooled.query]
    expect(methods().map(patched)).toEqual([true, true, true])
    await shutdown()
    const spansBefore = collector.ended.length
    expect(methods().map(patched)).toEqual([false, false, false])
    const rows = await new Promise<unknown[] | undefined>((resolve, reject) =>
      pool.query('SELECT 7 AS n', (error, result) => (error ? reject(error) : resolve(result?.rows))),
    )
    expect(rows).toEqual([{ n: 7 }])
    expect(collector.ended.length).toBe(spansBefore)
  })
})
