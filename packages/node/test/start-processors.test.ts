/**
 * `start({ spanProcessors })`: a user's own span processors, as the SDK's option takes them, see
 * every span (sampled or not) after otelkit's scrubbing and metrics, may still change it in
 * `onEnding`, are flushed and shut down with otelkit; a value that is not a processor is refused
 * with a typed error naming it.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace'
import { afterAll, describe, expect, it } from 'vitest'
import { OtelkitConfigError, shutdown, start } from '../src/index.js'

describe('start({ spanProcessors })', () => {
  const started: string[] = []
  const ended: ReadableSpan[] = []
  const calls: string[] = []
  const processor: SpanProcessor = {
    onStart: (span) => started.push(span.name),
    onEnding: (span) => {
      span.setAttribute('user.stage', 'onEnding')
    },
    onEnd: (span) => ended.push(span),
    forceFlush: async () => {
      calls.push('forceFlush')
    },
    shutdown: async () => {
      calls.push('shutdown')
    },
  }
  afterAll(async () => {
    await shutdown()
  })

  it('refuses a value that is not a span processor, naming what is missing', () => {
    let caught: unknown
    try {
      start({ spanProcessors: [{ onStart() {} } as unknown as SpanProcessor] })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(OtelkitConfigError)
    expect((caught as Error).message).toContain('spanProcessors[0]')
    expect((caught as Error).message).toContain('onEnd, forceFlush, shutdown')
  })

  it('calls the processor for every span, sampled or not, after otelkit scrubbed it', async () => {
    const sdk = start({
      serviceName: 'user-processors',
      tracesExporter: ['none'],
      metricsExporter: ['none'],
      sampler: 'always_off',
      opsPort: 0,
      spanProcessors: [processor],
    })
    const tracer = trace.getTracer('user-code')
    const span = tracer.startSpan('SELECT orders', {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'postgresql',
        'db.query.text': "SELECT * FROM orders WHERE card = '4111111111111111'",
      },
    })
    span.setStatus({ code: SpanStatusCode.OK })
    span.end()
    await sdk.forceFlush()
    expect(started).toEqual(['SELECT orders'])
    expect(ended).toHaveLength(1)
    const [seen] = ended as [ReadableSpan]
    // Unsampled, still seen; the statement already normalised by otelkit; onEnding could write.
    expect(seen.spanContext().traceFlags).toBe(0)
    expect(seen.attributes['db.query.text']).toBe('SELECT * FROM orders WHERE card = ?')
    expect(seen.attributes['user.stage']).toBe('onEnding')
    expect(calls).toContain('forceFlush')
    await sdk.shutdown()
    expect(calls).toContain('shutdown')
  })
})
