/**
 * What happens to telemetry under sampling, an unreachable or hanging collector, process
 * signals, and slow queries — each run against a real preloaded service.
 */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportTo, freePort, receiverForFile, seriesValue, startService } from './support/service.js'

const receiver = receiverForFile()

async function hammer(get: () => Promise<Response>, total: number, concurrency: number): Promise<number[]> {
  const statuses: number[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++
        const res = await get()
        await res.arrayBuffer()
        statuses.push(res.status)
      }
    }),
  )
  return statuses
}

/** Heap in use after a full GC, in MB (the fixture runs with --expose-gc). */
async function heapAfterGcMb(get: (path: string) => Promise<Response>): Promise<number> {
  const usage = (await (await get('/__heap')).json()) as { heapUsed: number }
  return usage.heapUsed / 1024 / 1024
}

describe('sampling', () => {
  it('keeps db and HTTP metrics complete when only 10% of traces are exported', async () => {
    const service = await startService({
      fixture: 'esm-app.mjs',
      env: {
        ...exportTo(receiver, 'sampled', 'http/json'),
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      },
    })
    try {
      const statuses = await hammer(() => service.get('/orders/7'), 100, 5)
      expect(statuses.every((s) => s === 200)).toBe(true)
      const text = await service.metrics()
      expect(
        seriesValue(text, 'http_server_request_duration_seconds_count', ['http_route="/orders/:id"']),
      ).toBe(100)
      expect(
        seriesValue(text, 'db_client_operation_duration_seconds_count', [
          'db_system_name="postgresql"',
          'db_operation_name="SELECT"',
        ]),
      ).toBe(100)
      expect(
        seriesValue(text, 'db_client_operation_duration_seconds_count', ['db_system_name="mysql"']),
      ).toBe(100)
      expect(
        seriesValue(text, 'db_client_operation_duration_seconds_count', [
          'db_system_name="redis"',
          'db_operation_name="GET"',
        ]),
      ).toBe(200)
      await service.stop()
      const exported = receiver.spans.filter(
        (s) => s.service === 'sampled' && s.name === 'GET /orders/:id',
      ).length
      expect(exported).toBeGreaterThan(0)
      expect(exported).toBeLessThan(50)
    } finally {
      await service.stop()
    }
  })
})

describe('collector problems never reach the service', () => {
  let hanging: Server
  let hangingUrl: string
  beforeAll(async () => {
    hanging = createServer(() => {
      // accepts, never answers
    })
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()))
    hangingUrl = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`
  })
  afterAll(() => {
    hanging.closeAllConnections()
    hanging.close()
  })

  it.each([
    { name: 'refused', endpoint: async () => `http://127.0.0.1:${await freePort()}` },
    { name: 'hanging', endpoint: async () => hangingUrl },
  ])(
    'collector $name: serves every request, memory stays bounded, drops are counted',
    async ({ endpoint }) => {
      const service = await startService({
        fixture: 'http-app.mjs',
        env: {
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: await endpoint(),
          OTEL_EXPORTER_OTLP_TIMEOUT: '300',
          OTEL_BSP_MAX_QUEUE_SIZE: '256',
          OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64',
          OTELKIT_SHUTDOWN_TIMEOUT: '500',
        },
        nodeArgs: ['--expose-gc'],
      })
      try {
        const warm = await hammer(() => service.get('/warm'), 2000, 20)
        expect(warm.every((s) => s === 200)).toBe(true)
        const before = await heapAfterGcMb(service.get)
        const statuses = await hammer(() => service.get('/load'), 10_000, 20)
        expect(statuses.every((s) => s === 200)).toBe(true)
        const after = await heapAfterGcMb(service.get)
        // 10,000 spans that could not be exported would hold well over 10 MB if they were kept.
        expect(after - before).toBeLessThan(5)
        const text = await service.metrics()
        const dropped = seriesValue(text, 'otelkit_telemetry_dropped_total', ['signal="traces"'])
        expect(dropped).toBeGreaterThan(9000)
        const warnings = service
          .stderr()
          .split('\n')
          .filter((l) => l.includes('[otelkit] warn'))
        expect(warnings.length).toBeGreaterThan(0)
        expect(warnings.length).toBeLessThanOrEqual(3)
      } finally {
        await service.stop()
      }
    },
  )
})

describe('signals', () => {
  it('SIGTERM with no handler of the app: flushes spans, then ends by the signal as Node would', async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        ...exportTo(receiver, 'sigterm-default'),
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
    })
    expect((await service.get('/before-exit')).status).toBe(200)
    const ended = await service.stop('SIGTERM')
    expect(ended).toEqual({ code: null, signal: 'SIGTERM' })
    expect(
      receiver.spans.some(
        (s) => s.service === 'sigterm-default' && s.attributes['url.path'] === '/before-exit',
      ),
    ).toBe(true)
  })

  it('SIGINT with no handler of the app ends by SIGINT', async () => {
    const service = await startService({ fixture: 'http-app.mjs' })
    expect(await service.stop('SIGINT')).toEqual({ code: null, signal: 'SIGINT' })
  })

  it("SIGTERM with the app's own handler: the app decides (exit code 0)", async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      env: { SELF_SIGTERM_HANDLER: '1' },
    })
    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null })
  })
})

describe('slow queries', () => {
  const token = 'test-token-0123456789abcdef'

  it('logs one structured line per slow statement, normalised, with the trace id', async () => {
    const service = await startService({
      fixture: 'esm-app.mjs',
      env: { OTELKIT_SLOW_QUERY_MS: '100', OTELKIT_DEBUG_TOKEN: token },
    })
    try {
      expect((await service.get('/slow')).status).toBe(200)
      await service.get('/orders/5')
      await new Promise((r) => setTimeout(r, 100))
      const line = service
        .stderr()
        .split('\n')
        .find((l) => l.includes('slow query')) as string
      expect(line).toBeDefined()
      const fields = JSON.parse(line.slice(line.indexOf('{')))
      expect(fields['db.query.text']).toBe('SELECT pg_sleep(?), ? AS n')
      expect(fields['db.system.name']).toBe('postgresql')
      expect(fields.duration_ms).toBeGreaterThanOrEqual(100)
      expect(fields.trace_id).toMatch(/^[0-9a-f]{32}$/)
      expect(service.stderr()).not.toContain('12345')

      const ops = `http://127.0.0.1:${service.opsPort}/debug/queries`
      expect((await fetch(ops)).status).toBe(401)
      expect((await fetch(ops, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(
        401,
      )
      const res = await fetch(ops, { headers: { authorization: `Bearer ${token}` } })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { statements: Array<Record<string, unknown>> }
      const top = body.statements[0] as Record<string, number | string>
      expect(top.statement).toBe('SELECT pg_sleep(?), ? AS n')
      expect(top.count).toBe(1)
      expect(top.p50Ms).toBeGreaterThanOrEqual(100)
      expect(top.p95Ms).toBeGreaterThanOrEqual(top.p50Ms as number)
      expect(top.maxMs).toBeGreaterThanOrEqual(top.p95Ms as number)
      expect(body.statements.some((s) => s.statement === 'SELECT ?::int AS id, ? AS note')).toBe(true)
    } finally {
      await service.stop()
    }
  })

  it('debug routes are 404 when no token is configured', async () => {
    const service = await startService({ fixture: 'http-app.mjs' })
    try {
      const res = await fetch(`http://127.0.0.1:${service.opsPort}/debug/queries`, {
        headers: { authorization: 'Bearer anything-at-all-123456' },
      })
      expect(res.status).toBe(404)
    } finally {
      await service.stop()
    }
  })
})
