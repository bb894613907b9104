/**
 * otelkit's own OTLP/HTTP protobuf exporter against a programmable receiver, through the real
 * preload: retryable refusals (503, 429 with Retry-After) are retried until delivered, a
 * non-retryable refusal is dropped at once, a partial success counts what the server rejected,
 * and every span sent is either received or counted in otelkit_telemetry_dropped_total.
 * The response rules themselves (Retry-After forms, partial_success in protobuf and JSON) are
 * checked directly.
 */
import { afterAll, describe, expect, it } from 'vitest'
import {
  classifyResponse,
  parseRetryAfter,
  partialSuccessFromJson,
  partialSuccessFromProtobuf,
} from '../src/otlp/response.js'
import { sendWithRetry } from '../src/otlp/retry.js'
import { type ReceiverOptions, startOtlpReceiver } from './support/otlp-receiver.js'
import { killAll, seriesValue, startService } from './support/service.js'

afterAll(() => killAll())

/** ExportTraceServiceResponse { partial_success { rejected_spans, error_message } } in protobuf. */
function partialSuccessBody(rejected: number, message: string): Buffer {
  const text = Buffer.from(message)
  const inner = Buffer.concat([Buffer.from([0x08, rejected]), Buffer.from([0x12, text.length]), text])
  return Buffer.concat([Buffer.from([0x0a, inner.length]), inner])
}

/** Starts the node:http fixture exporting to a receiver answering as `respond` says, sends `count` requests. */
async function exportThrough(
  respond: ReceiverOptions['respond'],
  count: number,
  env: Record<string, string> = {},
) {
  const receiver = await startOtlpReceiver({ respond })
  const service = await startService({
    fixture: 'http-app.mjs',
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      ...env,
    },
  })
  for (let i = 0; i < count; i++) await (await service.get(`/items/${i}`)).arrayBuffer()
  return { receiver, service }
}

const dropped = (text: string, reason: string) =>
  seriesValue(text, 'otelkit_telemetry_dropped_total', ['signal="traces"', `reason="${reason}"`])

describe('retries of the default exporter (OTLP/HTTP protobuf)', () => {
  it('delivers every span of a batch answered 503 twice, then 200', async () => {
    const { receiver, service } = await exportThrough((n) => (n < 2 ? { status: 503 } : undefined), 20)
    try {
      await receiver.waitFor((spans) => spans.filter((s) => s.kind === 2).length >= 20, 20_000)
      expect(receiver.requests.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 200])
      const text = await service.metrics()
      expect(dropped(text, 'export_failed')).toBe(0)
      expect(new Set(receiver.spans.map((s) => s.spanId)).size).toBe(receiver.spans.length)
    } finally {
      await service.stop()
      await receiver.close()
    }
  })

  it('waits as long as Retry-After says on a 429 (seconds), then delivers', async () => {
    const answered: number[] = []
    const { receiver, service } = await exportThrough((n) => {
      answered.push(Date.now())
      // Header names are matched whatever their case.
      return n === 0 ? { status: 429, headers: { 'Retry-After': '2' } } : undefined
    }, 5)
    try {
      await receiver.waitFor((spans) => spans.filter((s) => s.kind === 2).length >= 5, 20_000)
      expect(answered[1]! - answered[0]!).toBeGreaterThanOrEqual(1900)
      expect(dropped(await service.metrics(), 'export_failed')).toBe(0)
    } finally {
      await service.stop()
      await receiver.close()
    }
  })

  it('drops a batch refused with a non-retryable 400 at once, counted as rejected', async () => {
    const { receiver, service } = await exportThrough(
      (n) => (n === 0 ? { status: 400, body: 'bad request' } : undefined),
      10,
    )
    try {
      for (let i = 0; i < 100 && dropped(await service.metrics(), 'rejected') < 10; i++) {
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(dropped(await service.metrics(), 'rejected')).toBe(10)
      // No second attempt of the refused batch: any later request carries new spans only.
      expect(receiver.spans.filter((s) => s.kind === 2)).toHaveLength(0)
      expect(service.stderr()).toMatch(/HTTP 400/)
    } finally {
      await service.stop()
      await receiver.close()
    }
  })

  it('counts the spans a partial success rejected and logs the server message', async () => {
    const { receiver, service } = await exportThrough(
      (n) =>
        n === 0
          ? {
              status: 200,
              headers: { 'content-type': 'application/x-protobuf' },
              body: partialSuccessBody(3, 'span attributes over the limit'),
            }
          : undefined,
      8,
    )
    try {
      await receiver.waitFor((spans) => spans.filter((s) => s.kind === 2).length >= 8, 20_000)
      for (let i = 0; i < 50 && dropped(await service.metrics(), 'rejected') < 3; i++) {
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(dropped(await service.metrics(), 'rejected')).toBe(3)
      expect(service.stderr()).toContain('span attributes over the limit')
    } finally {
      await service.stop()
      await receiver.close()
    }
  })

  it('accounts for every span when the collector refuses for longer than the export timeout', async () => {
    // Refuses until a batch has been given up on (counted), then accepts.
    let refusing = true
    const { receiver, service } = await exportThrough(() => (refusing ? { status: 503 } : undefined), 30, {
      OTEL_BSP_EXPORT_TIMEOUT: '1500',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
    })
    try {
      const sent = 30
      const settled = async () => {
        const received = receiver.spans.filter((s) => s.kind === 2).length
        const lost = dropped(await service.metrics(), 'export_failed')
        return { received, lost }
      }
      let state = await settled()
      for (let i = 0; i < 300 && state.lost === 0; i++) {
        await new Promise((r) => setTimeout(r, 100))
        state = await settled()
      }
      expect(state.lost).toBeGreaterThan(0)
      refusing = false
      for (let i = 0; i < 300 && state.received + state.lost < sent; i++) {
        await new Promise((r) => setTimeout(r, 100))
        state = await settled()
      }
      expect(state.received + state.lost).toBe(sent)
      expect(service.stderr()).toMatch(/HTTP 503 after \d+ attempt/)
    } finally {
      await service.stop()
      await receiver.close()
    }
  })
})

describe('response rules', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-30T12:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Mon, 30 Nov 2026 12:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Mon, 30 Nov 2026 11:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it('marks 429, 502, 503, 504 retryable and other refusals not', () => {
    for (const status of [429, 502, 503, 504]) {
      expect(classifyResponse(status, {}, Buffer.alloc(0))).toMatchObject({ ok: false, retryable: true })
    }
    for (const status of [400, 401, 403, 404, 413, 500]) {
      expect(classifyResponse(status, {}, Buffer.alloc(0))).toMatchObject({ ok: false, retryable: false })
    }
  })

  it('reads partial_success from protobuf and JSON; an empty one is full success', () => {
    expect(partialSuccessFromProtobuf(partialSuccessBody(4, 'too big'))).toEqual({
      rejected: 4,
      message: 'too big',
    })
    expect(partialSuccessFromProtobuf(Buffer.alloc(0))).toBeUndefined()
    expect(partialSuccessFromProtobuf(Buffer.from([0x0a, 0x00]))).toBeUndefined()
    expect(partialSuccessFromJson('{"partialSuccess":{"rejectedSpans":"2","errorMessage":"no"}}')).toEqual({
      rejected: 2,
      message: 'no',
    })
    expect(partialSuccessFromJson('{"partialSuccess":{"rejectedDataPoints":5}}')).toEqual({
      rejected: 5,
      message: '',
    })
    expect(partialSuccessFromJson('{"partialSuccess":{}}')).toBeUndefined()
    expect(partialSuccessFromJson('not json')).toBeUndefined()
  })

  it('backs off exponentially with jitter and never waits past the deadline', async () => {
    const times: number[] = []
    const result = await sendWithRetry(
      async () => {
        times.push(Date.now())
        return { ok: false, error: 'HTTP 503', retryable: true }
      },
      { deadline: Date.now() + 1000, initialBackoffMs: 100, maxBackoffMs: 400, random: () => 0.999 },
    )
    expect(result.ok).toBe(false)
    expect(times.length).toBeGreaterThanOrEqual(3)
    expect(times.at(-1)! - times[0]!).toBeLessThan(1000)
    const gaps = times.slice(1).map((t, i) => t - times[i]!)
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!)
  })
})
