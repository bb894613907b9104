/**
 * `OTEL_LOGS_EXPORTER` and `OTEL_BLRP_*` through the real preload: `none` sends nothing (and
 * correlation stays on), `console` prints the records, a bad value warns once and the service
 * serves, http/protobuf and http/json records reach the receiver through otelkit's transport, and
 * a dead collector neither stalls the service nor loses count: every record written is either
 * received or counted in otelkit_telemetry_dropped_total{signal="logs"}.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  freePort,
  type RunningService,
  receiverForFile,
  seriesValue,
  startService,
} from './support/service.js'

const DROPPED = 'otelkit_telemetry_dropped_total'

const receiver = receiverForFile()

function logsService(name: string, env: Record<string, string>, preload: 'import' | 'require' = 'import') {
  return startService({
    fixture: 'logs-app.mjs',
    preload,
    env: {
      LOADER: preload,
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BLRP_SCHEDULE_DELAY: '100',
      ...env,
    },
  })
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 50))
}

describe('OTEL_LOGS_EXPORTER', () => {
  it.each(['import', 'require'] as const)(
    'none (%s): no record is sent, the stdout lines still carry trace ids',
    async (preload) => {
      const name = `logs-none-${preload}`
      const service = await logsService(name, { OTEL_LOGS_EXPORTER: 'none' }, preload)
      for (const logger of ['pino', 'winston', 'bunyan']) {
        expect((await service.get(`/log/${logger}`)).status).toBe(200)
      }
      expect(await service.metrics()).not.toContain('signal="logs"')
      // Shutdown flushes every signal: anything queued would be sent now.
      await service.stop()
      const logRequests = receiver.requests.filter((r) => r.path === '/v1/logs')
      expect(receiver.logs.filter((l) => l.service === name)).toEqual([])
      expect(logRequests.every((r) => !r.body.includes(name))).toBe(true)
      for (const logger of ['pino', 'winston', 'bunyan']) {
        const line = service
          .stdout()
          .split('\n')
          .find((l) => l.includes(`${logger} order viewed`)) as string
        expect(JSON.parse(line).trace_id).toMatch(/^[0-9a-f]{32}$/)
      }
    },
    60_000,
  )

  it('console: each record is printed with its body, severity and trace id', async () => {
    const service = await logsService('logs-console', { OTEL_LOGS_EXPORTER: 'console' })
    expect((await service.get('/log/winston')).status).toBe(200)
    await until(() => service.stdout().includes("body: 'winston order failed'"))
    // One printed object per record: the one with this body.
    const printed = service
      .stdout()
      .split('\n}\n')
      .find((block) => block.includes("body: 'winston order failed'")) as string
    expect(printed).toMatch(/traceId: '[0-9a-f]{32}'/)
    expect(printed).toContain("severityText: 'error'")
    expect(printed).toContain("'service.name': 'logs-console'")
    await service.stop()
  }, 60_000)

  it('a bad value: one warning naming the variable, the value and the accepted form; the service serves', async () => {
    const service = await logsService('logs-bad', { OTEL_LOGS_EXPORTER: 'loki' })
    expect((await service.get('/log/pino')).status).toBe(200)
    const warnings = service
      .stderr()
      .split('\n')
      .filter((l) => l.includes('OTEL_LOGS_EXPORTER'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('"loki"')
    expect(warnings[0]).toContain('otlp, console, none')
    await service.stop()
  }, 60_000)

  it.each([
    { protocol: 'http/protobuf', logger: 'pino', contentType: 'application/x-protobuf' },
    { protocol: 'http/json', logger: 'bunyan', contentType: 'application/json' },
  ])(
    "$protocol: records reach the receiver through otelkit's transport, as $contentType",
    async ({ protocol, logger, contentType }) => {
      const name = `logs-${protocol.replace('/', '-')}`
      const service = await logsService(name, {
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      })
      expect((await service.get(`/log/${logger}`)).status).toBe(200)
      const body = `${logger} order viewed`
      await receiver.waitForLogs((logs) => logs.some((l) => l.service === name && l.body === body))
      const record = receiver.logs.find((l) => l.service === name && l.body === body)
      expect(record?.traceId).toMatch(/^[0-9a-f]{32}$/)
      const requests = receiver.requests.filter((r) => r.path === '/v1/logs' && r.body.includes(name))
      expect(requests.length).toBeGreaterThan(0)
      for (const request of requests) {
        expect(request.contentType).toBe(contentType)
        expect(request.headers['user-agent']).toMatch(/^otelkit\//)
      }
      await service.stop()
    },
    60_000,
  )
})

describe('a dead collector', () => {
  let service: RunningService
  beforeAll(async () => {
    service = await logsService('logs-dead', {
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      OTEL_EXPORTER_OTLP_TIMEOUT: '500',
      OTEL_BLRP_MAX_QUEUE_SIZE: '50',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '20',
    })
  })
  afterAll(async () => {
    await service?.stop()
  })

  it('the drop series exist at 0 from start-up', async () => {
    const lines = (await service.metrics()).split('\n').filter((l) => l.startsWith(`${DROPPED}{`))
    for (const reason of ['queue_full', 'export_failed', 'rejected', 'exporter_unavailable']) {
      expect(lines.some((l) => l.includes('signal="logs"') && l.includes(`reason="${reason}"`))).toBe(true)
    }
  })

  it('does not stall the service, and every record written is counted as dropped', async () => {
    // 3 "started" records, then 3 x 200 in bursts faster than the queue (50) drains.
    for (const logger of ['pino', 'winston', 'bunyan']) {
      expect((await service.get(`/burst/${logger}?n=200`)).status).toBe(200)
    }
    const written = 3 + 3 * 200
    const dropped = async () => seriesValue(await service.metrics(), DROPPED, ['signal="logs"'])
    await until(async () => (await dropped()) >= written)
    const text = await service.metrics()
    expect(await dropped()).toBe(written)
    expect(seriesValue(text, DROPPED, ['signal="logs"', 'reason="queue_full"'])).toBeGreaterThan(0)
    expect(seriesValue(text, DROPPED, ['signal="logs"', 'reason="export_failed"'])).toBeGreaterThan(0)
    // Failures are reported, rate-limited: one line per kind, not one per batch.
    const failures = service
      .stderr()
      .split('\n')
      .filter((l) => l.includes('log export to'))
    expect(failures).toHaveLength(1)
    expect((await service.get('/log/pino')).status).toBe(200)
  }, 90_000)
})
