/**
 * The logs signal through the real preload (ESM `--import` with `import`, CJS `--require` with
 * `require`): pino, winston and bunyan records reach the OTLP receiver with body, severity, the
 * trace and span ids of the server span they were written in, and the service's resource; the
 * lines they write to stdout carry the same ids (log correlation); records written outside a
 * span carry none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReceivedLog } from './support/otlp-receiver.js'
import { exportTo, type RunningService, receiverForFile, startService } from './support/service.js'

const SERVER = 2
const INFO = 9
const ERROR = 17
const LOGGERS = ['pino', 'winston', 'bunyan'] as const

const receiver = receiverForFile()

/** The stdout JSON line of `service` whose text includes `text` (waits for it to be written). */
async function stdoutRecord(service: RunningService, text: string): Promise<Record<string, unknown>> {
  for (;;) {
    const line = service
      .stdout()
      .split('\n')
      .find((l) => l.includes(text))
    if (line !== undefined) return JSON.parse(line)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe.each([
  { loader: 'import', preload: 'import' as const },
  { loader: 'require', preload: 'require' as const },
])('OTEL_LOGS_EXPORTER=otlp, libraries loaded by $loader', ({ loader, preload }) => {
  const name = `logs-${loader}`
  let service: RunningService
  const mine = (logs: ReceivedLog[]) => logs.filter((l) => l.service === name)

  beforeAll(async () => {
    service = await startService({
      fixture: 'logs-app.mjs',
      preload,
      env: {
        LOADER: loader,
        ...exportTo(receiver, name),
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_BLRP_SCHEDULE_DELAY: '100',
      },
    })
  })
  afterAll(async () => {
    await service?.stop()
  })

  it.each(LOGGERS)(
    '%s: records carry body, severity, the server span ids and the resource',
    async (logger) => {
      expect((await service.get(`/log/${logger}`)).status).toBe(200)
      await receiver.waitForLogs(
        (logs) => mine(logs).filter((l) => l.body.startsWith(`${logger} order`)).length === 2,
      )
      const viewed = mine(receiver.logs).find((l) => l.body === `${logger} order viewed`) as ReceivedLog
      const failed = mine(receiver.logs).find((l) => l.body === `${logger} order failed`) as ReceivedLog
      expect(viewed.severityNumber).toBe(INFO)
      expect(failed.severityNumber).toBe(ERROR)
      expect(viewed.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(viewed.spanId).toMatch(/^[0-9a-f]{16}$/)
      expect(failed.spanId).toBe(viewed.spanId)
      expect(viewed.resource['telemetry.distro.name']).toBe('otelkit')
      expect(viewed.resource['service.instance.id']).toBeTruthy()
      await receiver.waitFor((spans) => spans.some((s) => s.spanId === viewed.spanId))
      const server = receiver.spans.find((s) => s.spanId === viewed.spanId)
      expect(server?.kind).toBe(SERVER)
      expect(server?.traceId).toBe(viewed.traceId)
      expect(server?.service).toBe(name)
      // Correlation: the line the library wrote itself carries the same ids.
      const line = await stdoutRecord(service, `${logger} order viewed`)
      expect(line.trace_id).toBe(viewed.traceId)
      expect(line.span_id).toBe(viewed.spanId)
    },
    60_000,
  )

  it.each(LOGGERS)('%s: a record written outside a span has no trace id', async (logger) => {
    await receiver.waitForLogs((logs) => mine(logs).some((l) => l.body === `${logger} started`))
    const started = mine(receiver.logs).find((l) => l.body === `${logger} started`) as ReceivedLog
    expect(started.traceId).toBe('')
    expect(started.spanId).toBe('')
    expect(started.severityNumber).toBe(INFO)
    const line = await stdoutRecord(service, `${logger} started`)
    expect(line.trace_id).toBeUndefined()
  })
})
