/**
 * Upstream OpenTelemetry instrumentations (mysql2, node-redis, pino) on otelkit's own tracer and
 * linked context, through the real preload and real MariaDB and Redis: their spans carry their
 * own scope, sit under otelkit's server span in the same trace (across the promises the drivers
 * resolve), keep their attributes, and a pino record written in the request carries that server
 * span's ids. Once with every trace sampled and once at 10 %, where unsampled requests export no
 * span but their database metrics are still counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReceivedSpan } from './support/otlp-receiver.js'
import {
  exportTo,
  type RunningService,
  receiverForFile,
  seriesValue,
  startService,
} from './support/service.js'

const SERVER = 2
const CLIENT = 3
const receiver = receiverForFile()

describe('upstream instrumentations on otelkit tracer', () => {
  let service: RunningService
  const name = 'upstream-tracer'

  beforeAll(async () => {
    service = await startService({
      fixture: 'esm-app.mjs',
      env: {
        ...exportTo(receiver, name),
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_BLRP_SCHEDULE_DELAY: '100',
      },
    })
  })
  afterAll(async () => {
    await service.stop()
  })

  it('mysql2 and node-redis spans sit under the server span with their scope and attributes', async () => {
    const res = await service.get('/upstream/77')
    expect(await res.json()).toEqual({ mysql: 77, redis: null })
    const mine = () => receiver.spans.filter((s) => s.service === name)
    await receiver.waitFor(() => mine().some((s) => s.kind === SERVER && s.name === 'GET /upstream/:id'))
    const server = mine().find((s) => s.name === 'GET /upstream/:id') as ReceivedSpan
    await receiver.waitFor(() => mine().filter((s) => s.traceId === server.traceId).length >= 3)
    const children = mine().filter((s) => s.traceId === server.traceId && s.parentSpanId === server.spanId)
    const mysql = children.find((s) => s.scope === '@opentelemetry/instrumentation-mysql2')
    const redis = children.find((s) => s.scope === '@opentelemetry/instrumentation-redis')
    expect(mysql?.kind).toBe(CLIENT)
    expect(mysql?.attributes['db.system'] ?? mysql?.attributes['db.system.name']).toBe('mysql')
    // The statement is normalised before export: no parameter value leaves the process.
    expect(String(mysql?.attributes['db.query.text'] ?? mysql?.attributes['db.statement'])).toBe(
      'SELECT ? AS id',
    )
    expect(redis?.kind).toBe(CLIENT)
    expect(redis?.attributes['db.system'] ?? redis?.attributes['db.system.name']).toBe('redis')
    expect(server.scope).toBe('@otelkit/node')
    expect(server.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(server.traceId).toMatch(/^[0-9a-f]{32}$/)
  })

  it('a pino record written in the request carries the server span ids', async () => {
    await service.get('/upstream/78')
    await receiver.waitForLogs((logs) =>
      logs.some((l) => l.service === name && l.body === 'upstream libraries answered'),
    )
    const logs = receiver.logs.filter((l) => l.service === name && l.body === 'upstream libraries answered')
    const servers = () => receiver.spans.filter((s) => s.service === name && s.name === 'GET /upstream/:id')
    // Logs and spans are exported apart: wait until the server span of every record's trace is in.
    await receiver.waitFor(() => logs.every((l) => servers().some((s) => s.traceId === l.traceId)))
    for (const log of logs) {
      const span = servers().find((s) => s.traceId === log.traceId)
      expect(span?.spanId).toBe(log.spanId)
    }
    expect(logs.length).toBeGreaterThan(0)
  })
})

describe('upstream instrumentations on otelkit tracer at 10 % head sampling', () => {
  it('exports only sampled traces, whole, and counts every database call in the metrics', async () => {
    const name = 'upstream-sampled'
    const service = await startService({
      fixture: 'esm-app.mjs',
      env: {
        ...exportTo(receiver, name),
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      },
    })
    const requests = 200
    let text: string
    try {
      for (let i = 0; i < requests; i++) expect((await service.get(`/upstream/${i}`)).status).toBe(200)
      text = await service.metrics()
    } finally {
      // SIGTERM flushes every queued span before the process ends.
      await service.stop('SIGTERM')
    }
    const mysqlCalls = seriesValue(text, 'db_client_operation_duration_seconds_count', [
      'db_system_name="mysql"',
    ])
    expect(mysqlCalls).toBeGreaterThanOrEqual(requests)
    const spans = receiver.spans.filter((s) => s.service === name)
    const servers = spans.filter((s) => s.kind === SERVER && s.name === 'GET /upstream/:id')
    // About 20 of 200 traces: far from all of them, and not none.
    expect(servers.length).toBeGreaterThan(3)
    expect(servers.length).toBeLessThan(60)
    for (const server of servers) {
      const children = spans.filter((s) => s.parentSpanId === server.spanId)
      expect(children.map((s) => s.scope).sort()).toEqual([
        '@opentelemetry/instrumentation-mysql2',
        '@opentelemetry/instrumentation-redis',
      ])
    }
    // Every exported child belongs to an exported request trace: none from an unsampled request
    // (a root span of its own, as ioredis' connection set-up makes, is sampled on its own id).
    const traces = new Set(servers.map((s) => s.traceId))
    expect(spans.filter((s) => s.parentSpanId !== '' && !traces.has(s.traceId))).toEqual([])
  })
})
