/**
 * Upstream instrumentations through the real preload against real servers (ensure-services.sh):
 * MongoDB (driver and Mongoose) on the wire-compatible server, memcached, RabbitMQ (amqplib),
 * Kafka with an unreachable broker, GraphQL, winston and bunyan log correlation. Libraries are
 * loaded through `import` under `--import` and through `require` under `--require`.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReceivedSpan } from './support/otlp-receiver.js'
import {
  exportTo,
  FIXTURES,
  freePort,
  type RunningService,
  receiverForFile,
  seriesValue,
  startService,
} from './support/service.js'

const SERVER = 2
const CLIENT = 3
const PRODUCER = 4
const CONSUMER = 5
const ERROR = 2
const TOKEN = 'clients-debug-token-0123456789'

const receiver = receiverForFile()

describe.each([
  { loader: 'import', preload: 'import' as const },
  { loader: 'require', preload: 'require' as const },
])('libraries loaded by $loader', ({ loader, preload }) => {
  const name = `clients-${loader}`
  const prefix = `otelkit_${loader}_${randomBytes(4).toString('hex')}`
  const secret = `S3CR3T${randomBytes(4).toString('hex')}`
  let service: RunningService

  beforeAll(async () => {
    service = await startService({
      fixture: 'clients-app.mjs',
      preload,
      env: {
        LOADER: loader,
        PREFIX: prefix,
        SECRET: secret,
        KAFKA_BROKER: `127.0.0.1:${await freePort()}`,
        ...exportTo(receiver, name, 'http/json'),
        OTELKIT_METRICS_CACHE: '0',
        OTELKIT_DEBUG_TOKEN: TOKEN,
      },
    })
  }, 60_000)
  afterAll(async () => {
    await service?.stop()
  })

  const mine = () => receiver.spans.filter((s) => s.service === name)
  const byScope = (scope: string) =>
    mine().filter((s) => s.scope === `@opentelemetry/instrumentation-${scope}`)
  const serverOf = (span: ReceivedSpan) =>
    mine().find((s) => s.kind === SERVER && s.traceId === span.traceId && s.parentSpanId === '')

  /** Calls a route and waits until spans of `scope` from it have arrived. */
  async function call(
    path: string,
    scope: string,
    count = 1,
  ): Promise<{ body: string; spans: ReceivedSpan[] }> {
    const res = await service.get(path)
    const body = await res.text()
    expect(res.status, body).toBe(200)
    // The request's server span ends after its client spans, so it may come in a later batch.
    await receiver.waitFor(
      () => byScope(scope).length >= count && byScope(scope).every((s) => serverOf(s) !== undefined),
      20_000,
    )
    return { body, spans: byScope(scope) }
  }

  function expectNoSecret() {
    const leaked = mine().filter((s) => JSON.stringify(s.attributes).includes(secret))
    expect(leaked.map((s) => s.name)).toEqual([])
  }

  it('MongoDB driver: a client span per command under the request, no document values, db metrics', async () => {
    const { body, spans } = await call('/mongo', 'mongodb', 3)
    expect(body).toBe('found')
    const ops = spans.map((s) => s.attributes['db.operation.name'])
    expect(ops).toEqual(expect.arrayContaining(['insert', 'find', 'delete']))
    for (const span of spans) {
      expect(span.attributes['db.system.name']).toBe('mongodb')
      expect(span.attributes['db.collection.name']).toBe(`${prefix}_items`)
      expect(serverOf(span)).toBeDefined()
    }
    expectNoSecret()
    const metrics = await service.metrics()
    for (const op of ['INSERT', 'FIND', 'DELETE']) {
      expect(
        seriesValue(metrics, 'db_client_operation_duration_seconds_count', [
          'db_system_name="mongodb"',
          `db_operation_name="${op}"`,
          `db_collection_name="${prefix}_items"`,
        ]),
      ).toBe(1)
    }
  }, 60_000)

  it('MongoDB commands in /debug/queries: normalised, no values', async () => {
    const res = await fetch(`http://127.0.0.1:${service.opsPort}/debug/queries`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    const { statements } = (await res.json()) as { statements: Array<{ statement: string; system: string }> }
    const mongo = statements.filter((s) => s.system === 'mongodb').map((s) => s.statement)
    expect(mongo).toContain(`insert ${prefix}_items {"owner":"?","n":"?","_id":"?"}`)
    expect(mongo.some((s) => s.startsWith(`find ${prefix}_items {"find":"?","filter":{"owner":"?"}`))).toBe(
      true,
    )
    expect(JSON.stringify(statements)).not.toContain(secret)
  })

  it('Mongoose: model operation spans, no document or condition values, each operation counted once', async () => {
    const { body, spans } = await call('/mongoose', 'mongoose', 3)
    expect(body).toBe('found')
    expect(spans.map((s) => s.attributes['db.operation.name'])).toEqual(
      expect.arrayContaining(['save', 'findOne', 'deleteMany']),
    )
    for (const span of spans) expect(serverOf(span)).toBeDefined()
    expectNoSecret()
    const metrics = await service.metrics()
    const collection = `db_collection_name="${prefix}_docs"`
    const count = (op: string) =>
      seriesValue(metrics, 'db_client_operation_duration_seconds_count', [
        `db_operation_name="${op}"`,
        collection,
      ])
    // Mongoose's spans run beside the driver's: the driver's commands are counted, once.
    expect([count('INSERT'), count('FIND'), count('DELETE')]).toEqual([1, 1, 1])
    expect([count('SAVE'), count('FINDONE'), count('DELETEMANY')]).toEqual([0, 0, 0])
  }, 60_000)

  it('knex on pg: a query counted once (as the knex operation), the statement without values', async () => {
    const { body, spans } = await call('/knex', 'knex')
    expect(body).toBe('rows 0')
    const query = spans[0] as ReceivedSpan
    expect(query.attributes['db.system.name'] ?? query.attributes['db.system']).toBe('postgresql')
    expectNoSecret()
    const metrics = await service.metrics()
    // knex's span and, inside it, the pg driver's: counted once, as knex's select.
    const tables = ['db_system_name="postgresql"', 'db_collection_name="pg_catalog.pg_tables"']
    expect(seriesValue(metrics, 'db_client_operation_duration_seconds_count', tables)).toBe(1)
    expect(
      seriesValue(metrics, 'db_client_operation_duration_seconds_count', [
        ...tables,
        'db_operation_name="SELECT"',
      ]),
    ).toBe(1)
  }, 60_000)

  it('memcached: a span per command with the key, never the value, and db metrics', async () => {
    const { body, spans } = await call('/memcached', 'memcached', 3)
    expect(body).toBe('found')
    expect(spans.map((s) => s.attributes['db.operation.name'])).toEqual(
      expect.arrayContaining(['set', 'get', 'delete']),
    )
    for (const span of spans) expect(span.attributes['db.memcached.key']).toBe(`${prefix}:key`)
    expectNoSecret()
    const metrics = await service.metrics()
    expect(
      seriesValue(metrics, 'db_client_operation_duration_seconds_count', [
        'db_system_name="memcached"',
        'db_operation_name="GET"',
      ]),
    ).toBe(1)
  }, 60_000)

  it('amqplib: publish and consume spans, the consumer in the publisher trace', async () => {
    const { body, spans } = await call('/amqp', 'amqplib', 2)
    expect(body).toBe('consumed')
    const publish = spans.find((s) => s.kind === PRODUCER) as ReceivedSpan
    const consume = spans.find((s) => s.kind === CONSUMER) as ReceivedSpan
    expect(publish.attributes['messaging.rabbitmq.routing_key']).toBe(`${prefix}.jobs`)
    expect(consume.traceId).toBe(publish.traceId)
    expect(serverOf(publish)).toBeDefined()
    expectNoSecret()
    const metrics = await service.metrics()
    const labels = ['messaging_system="rabbitmq"', `messaging_destination_name="${prefix}.jobs"`]
    expect(
      seriesValue(metrics, 'messaging_client_operation_duration_seconds_count', [
        ...labels,
        'messaging_operation_name="publish"',
      ]),
    ).toBe(1)
    expect(
      seriesValue(metrics, 'messaging_process_duration_seconds_count', [
        ...labels,
        'messaging_operation_name="process"',
      ]),
    ).toBe(1)
  }, 60_000)

  it('kafkajs with an unreachable broker: an error span, the application only sees its own catch', async () => {
    const { body, spans } = await call('/kafka', 'kafkajs')
    expect(body).toMatch(/^failed: KafkaJS/)
    const send = spans.find((s) => s.kind === PRODUCER) as ReceivedSpan
    expect(send.statusCode).toBe(ERROR)
    expect(send.attributes['messaging.destination.name']).toBe(`${prefix}-events`)
    expect((await service.get('/log/winston')).status).toBe(200)
    expect(service.stderr()).not.toMatch(/unhandled|uncaught/i)
    const failed = seriesValue(await service.metrics(), 'messaging_client_operation_duration_seconds_count', [
      'messaging_system="kafka"',
      'messaging_operation_name="send"',
      `messaging_destination_name="${prefix}-events"`,
      'error_type=',
    ])
    expect(failed).toBe(1)
  }, 60_000)

  it('GraphQL: an operation span with its type and name, literals masked', async () => {
    const { body, spans } = await call('/graphql', 'graphql', 3)
    expect(body).toBe('{"hello":"hello 14"}')
    const operation = spans.find((s) => s.attributes['graphql.operation.type'] === 'query') as ReceivedSpan
    expect(operation.name).toBe('query Greeting')
    expect(operation.attributes['graphql.operation.name']).toBe('Greeting')
    expect(serverOf(operation)).toBeDefined()
    expectNoSecret()
  }, 60_000)

  it.each(['winston', 'bunyan'])(
    '%s: records written in a request carry its trace and span ids',
    async (logger) => {
      expect((await service.get(`/log/${logger}`)).status).toBe(200)
      let record: { trace_id?: string; span_id?: string } | undefined
      const deadline = Date.now() + 10_000
      while (record === undefined && Date.now() < deadline) {
        const line = service
          .stdout()
          .split('\n')
          .find((l) => l.includes(`${logger} order viewed`))
        if (line !== undefined) record = JSON.parse(line)
        else await new Promise((r) => setTimeout(r, 50))
      }
      expect(record?.trace_id).toMatch(/^[0-9a-f]{32}$/)
      await receiver.waitFor((spans) => spans.some((s) => s.service === name && s.spanId === record?.span_id))
      const server = mine().find((s) => s.spanId === record?.span_id) as ReceivedSpan
      expect(server.kind).toBe(SERVER)
      expect(server.traceId).toBe(record?.trace_id)
    },
    60_000,
  )
})

describe('ioredis 5 (the upstream instrumentation: no tracing channel before ioredis 6)', () => {
  const name = 'clients-ioredis5'
  const prefix = `otelkit_ioredis5_${randomBytes(4).toString('hex')}`
  let service: RunningService

  beforeAll(async () => {
    service = await startService({
      fixture: 'ioredis5/app.mjs',
      env: { PREFIX: prefix, ...exportTo(receiver, name, 'http/json'), OTELKIT_METRICS_CACHE: '0' },
    })
  }, 60_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('is the ioredis 5 the fixture depends on', () => {
    const manifest = join(FIXTURES, 'ioredis5', 'node_modules', 'ioredis', 'package.json')
    expect((JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version).toMatch(/^5\./)
  })

  it('commands are client spans under the request, counted once by operation, queued or not; the rejected CLIENT SETINFO is no error', async () => {
    const res = await service.get('/get')
    expect(await res.text()).toBe('one')
    const mine = () => receiver.spans.filter((s) => s.service === name)
    await receiver.waitFor(() => {
      const server = mine().find((s) => s.kind === SERVER)
      return server !== undefined && mine().filter((s) => s.parentSpanId === server.spanId).length >= 2
    }, 20_000)
    const server = mine().find((s) => s.kind === SERVER) as ReceivedSpan
    const commands = mine().filter((s) => s.parentSpanId === server.spanId)
    expect(commands.map((s) => s.name).sort()).toEqual(['get', 'set'])
    for (const span of commands) {
      expect(span.kind).toBe(CLIENT)
      expect(span.scope).toBe('@opentelemetry/instrumentation-ioredis')
      expect(span.attributes['db.system.name'] ?? span.attributes['db.system']).toBe('redis')
      // The key, never the value.
      expect(String(span.attributes['db.query.text'] ?? span.attributes['db.statement'])).not.toContain('one')
    }
    const text = await service.metrics()
    const count = (operation: string, more: string[] = []) =>
      seriesValue(text, 'db_client_operation_duration_seconds_count', [
        'db_system_name="redis"',
        `db_operation_name="${operation}"`,
        ...more,
      ])
    expect(count('GET')).toBe(1)
    expect(count('SET')).toBe(1)
    // Commands made before the connection is ready go through sendCommand twice (queued, then
    // sent): still one span, counted once.
    const offline = await service.get('/offline')
    expect(await offline.text()).toBe('two')
    const after = await service.metrics()
    const countAfter = (operation: string) =>
      seriesValue(after, 'db_client_operation_duration_seconds_count', [
        'db_system_name="redis"',
        `db_operation_name="${operation}"`,
      ])
    expect(countAfter('SET')).toBe(2)
    expect(countAfter('GET')).toBe(2)
    // ioredis 5.4+ sends CLIENT SETINFO twice on connect; Redis before 7.2 rejects it, ioredis
    // ignores that, and so does otelkit: counted, with no error type, and no error tracked.
    expect(count('CLIENT')).toBeGreaterThanOrEqual(2)
    const clientErrors = text
      .split('\n')
      .filter((l) => l.startsWith('db_client_operation_duration_seconds_count{') && l.includes('"CLIENT"'))
      .filter((l) => l.includes('error_type='))
    expect(clientErrors).toEqual([])
    expect(seriesValue(text, 'otelkit_errors_total')).toBe(0)
  })
})
