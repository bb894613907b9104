/**
 * OTEL_PROPAGATORS through the real preload: the server span of a request carrying each
 * format's headers continues the caller's trace (same trace id, the caller's span as parent)
 * exactly when that format is configured, and the default (tracecontext,baggage) ignores the
 * others. A bad value is one warning and the default applies.
 */
import { describe, expect, it } from 'vitest'
import { exportTo, receiverForFile, startService } from './support/service.js'

const TRACE = '5759e988bd862e3fe1be46a994272793'
const PARENT = '53995c3f42cd8ad8'

/** Headers that carry trace TRACE, span PARENT, sampled, in each format. */
const CARRIERS: Record<string, Record<string, string>> = {
  tracecontext: { traceparent: `00-${TRACE}-${PARENT}-01` },
  b3: { b3: `${TRACE}-${PARENT}-1` },
  b3multi: { 'x-b3-traceid': TRACE, 'x-b3-spanid': PARENT, 'x-b3-sampled': '1' },
  jaeger: { 'uber-trace-id': `${TRACE}:${PARENT}:0:1` },
  xray: { 'x-amzn-trace-id': `Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${PARENT};Sampled=1` },
  ottrace: { 'ot-tracer-traceid': TRACE, 'ot-tracer-spanid': PARENT, 'ot-tracer-sampled': 'true' },
}

const receiver = receiverForFile()

/** The server span of one request sent with `headers` to a service run with `env`. */
async function serverSpan(env: Record<string, string>, headers: Record<string, string>, tag: string) {
  const service = await startService({
    fixture: 'http-app.mjs',
    env: {
      ...exportTo(receiver, tag),
      ...env,
    },
  })
  try {
    await (await service.get(`/propagation/${tag}`, { headers })).arrayBuffer()
    await receiver.waitFor((spans) => spans.some((s) => s.service === tag && s.kind === 2))
    return { span: receiver.spans.find((s) => s.service === tag && s.kind === 2)!, stderr: service.stderr() }
  } finally {
    await service.stop()
  }
}

describe('OTEL_PROPAGATORS', () => {
  for (const [format, headers] of Object.entries(CARRIERS)) {
    it(`${format}: continues the caller's trace`, async () => {
      const { span } = await serverSpan({ OTEL_PROPAGATORS: format }, headers, `prop-${format}`)
      expect(span.traceId).toBe(TRACE)
      expect(span.parentSpanId).toBe(PARENT)
    })
  }

  it('the default reads tracecontext and ignores B3', async () => {
    const w3c = await serverSpan({}, CARRIERS.tracecontext!, 'prop-default-w3c')
    expect(w3c.span.traceId).toBe(TRACE)
    const b3 = await serverSpan({}, CARRIERS.b3multi!, 'prop-default-b3')
    expect(b3.span.traceId).not.toBe(TRACE)
    expect(b3.span.parentSpanId).toBe('')
  })

  it('several formats at once, in order; none turns propagation off', async () => {
    const both = await serverSpan(
      { OTEL_PROPAGATORS: 'tracecontext,b3multi' },
      CARRIERS.b3multi!,
      'prop-both',
    )
    expect(both.span.traceId).toBe(TRACE)
    const none = await serverSpan({ OTEL_PROPAGATORS: 'none' }, CARRIERS.tracecontext!, 'prop-none')
    expect(none.span.traceId).not.toBe(TRACE)
  })

  it('an unknown name is one warning naming the variable, and the default applies', async () => {
    const { span, stderr } = await serverSpan(
      { OTEL_PROPAGATORS: 'b3,zipkin' },
      CARRIERS.tracecontext!,
      'prop-bad',
    )
    expect(span.traceId).toBe(TRACE)
    expect(stderr).toMatch(/OTEL_PROPAGATORS.*zipkin/)
  })
})
