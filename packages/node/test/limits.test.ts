/**
 * Attribute and span limits (`OTEL_ATTRIBUTE_*_LIMIT`, `OTEL_SPAN_*_LIMIT`,
 * `OTEL_*_ATTRIBUTE_COUNT_LIMIT`): how they resolve, one warning for a bad value, and spans of a
 * real service under the preload (otelkit's own HTTP server and pg instrumentations, events
 * changed by error tracking, links) held to them in what an OTLP receiver gets, with the
 * dropped counts as OTLP fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load.js'
import { setLogSink } from '../src/logger.js'
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver.js'
import { exportTo, killAll, type RunningService, startService } from './support/service.js'

const SERVER = 2
const CLIENT = 3

function load(env: Record<string, string>) {
  const lines: string[] = []
  setLogSink((line) => lines.push(line))
  try {
    return { config: loadConfig(undefined, env), warnings: lines.filter((l) => l.includes(' warn: ')) }
  } finally {
    setLogSink((line) => process.stderr.write(`${line}\n`))
  }
}

describe('limit settings', () => {
  it('default to no value length limit and 128 of everything else', () => {
    expect(load({}).config.spanLimits).toEqual({
      attributeValueLengthLimit: Number.POSITIVE_INFINITY,
      attributeCountLimit: 128,
      eventCountLimit: 128,
      linkCountLimit: 128,
      attributePerEventCountLimit: 128,
      attributePerLinkCountLimit: 128,
    })
  })

  it('a span-specific setting wins over the general one, which applies otherwise', () => {
    const general = load({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100', OTEL_ATTRIBUTE_COUNT_LIMIT: '20' })
    expect(general.config.spanLimits.attributeValueLengthLimit).toBe(100)
    expect(general.config.spanLimits.attributeCountLimit).toBe(20)
    expect(general.config.attributeValueLengthLimit).toBe(100)
    const specific = load({
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '6',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '20',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3',
    })
    expect(specific.config.spanLimits.attributeValueLengthLimit).toBe(6)
    expect(specific.config.spanLimits.attributeCountLimit).toBe(3)
    expect(specific.config.attributeValueLengthLimit).toBe(100)
  })

  it.each([
    ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'attributeValueLengthLimit', '1000000000'],
    ['OTEL_ATTRIBUTE_COUNT_LIMIT', 'attributeCountLimit', '1000000'],
    ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'attributeValueLengthLimit', '1000000000'],
    ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'attributeCountLimit', '1000000'],
    ['OTEL_SPAN_EVENT_COUNT_LIMIT', 'eventCountLimit', '1000000'],
    ['OTEL_SPAN_LINK_COUNT_LIMIT', 'linkCountLimit', '1000000'],
    ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'attributePerEventCountLimit', '1000000'],
    ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'attributePerLinkCountLimit', '1000000'],
  ] as const)('%s: a good value applies; a bad one gives one warning and the default', (name, key, max) => {
    const good = load({ [name]: '7' })
    expect(good.warnings).toEqual([])
    expect(good.config.spanLimits[key]).toBe(7)
    const defaults = load({}).config.spanLimits
    for (const bad of ['-1', 'lots', '1.5', `${max}0`]) {
      const { config, warnings } = load({ [name]: bad })
      expect(warnings).toEqual([
        `[otelkit] warn: invalid ${name}="${bad}": expected a whole number from 0 to ${max}; using the default`,
      ])
      expect(config.spanLimits[key]).toBe(defaults[key])
    }
  })
})

describe('limits on the spans of a real service (--import, OTLP protobuf)', () => {
  let receiver: OtlpReceiver
  let service: RunningService
  const LENGTH = 12

  beforeAll(async () => {
    receiver = await startOtlpReceiver()
    service = await startService({
      fixture: 'limits-app.mjs',
      env: {
        ...exportTo(receiver, 'limits'),
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: String(LENGTH),
        // A bad span-specific value: one warning, the general value applies, the service serves.
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'short',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '5',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '3',
        OTEL_SPAN_LINK_COUNT_LIMIT: '2',
        OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '2',
        OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '1',
      },
    })
  })
  afterAll(async () => {
    await service?.stop()
    killAll()
    await receiver?.close()
  })

  function strings(span: ReceivedSpan | { attributes: ReceivedSpan['attributes'] }): string[] {
    return Object.values(span.attributes).filter((v): v is string => typeof v === 'string')
  }

  it('cuts values, bounds counts and reports what it dropped, on otelkit’s own spans too', async () => {
    const path = `/query/${'p'.repeat(60)}`
    const res = await service.get(path)
    expect(res.status).toBe(500)
    await receiver.waitFor((spans) => {
      const names = new Set(spans.filter((s) => s.service === 'limits').map((s) => s.kind))
      return names.has(SERVER) && names.has(CLIENT) && spans.some((s) => s.name === 'linked')
    })
    const spans = receiver.spans.filter((s) => s.service === 'limits')
    const server = spans.find((s) => s.kind === SERVER) as ReceivedSpan
    const query =
      spans.find((s) => s.kind === CLIENT && s.scope.includes('pg')) ?? spans.find((s) => s.kind === CLIENT)
    const linked = spans.find((s) => s.name === 'linked') as ReceivedSpan
    expect(query, spans.map((s) => `${s.scope}:${s.name}`).join(', ')).toBeDefined()

    // Span attributes: at most 5, every string at most 12 characters, the rest counted.
    for (const span of [server, query as ReceivedSpan]) {
      expect(Object.keys(span.attributes).length).toBeLessThanOrEqual(5)
      for (const value of strings(span)) expect(value.length).toBeLessThanOrEqual(LENGTH)
    }
    expect(server.droppedAttributesCount).toBeGreaterThan(0)
    expect(server.attributes['url.path']).toBe(path.slice(0, LENGTH))
    const text = query?.attributes['db.query.text'] ?? query?.attributes['db.statement']
    // The statement as recorded (literals replaced), cut to the limit.
    expect(String(text)).toMatch(/^SELECT \? AS/)
    expect(String(text).length).toBeLessThanOrEqual(LENGTH)

    // Events: the 3 newest of 6 kept (5 added, then the exception), 3 dropped; each with at
    // most 2 attributes (error tracking's marks on the exception event included), the rest counted.
    expect(server.events.map((e) => e.name)).toEqual(['event-3', 'event-4', 'exception'])
    expect(server.droppedEventsCount).toBe(3)
    for (const event of server.events) {
      expect(Object.keys(event.attributes).length).toBeLessThanOrEqual(2)
      expect(event.droppedAttributesCount).toBeGreaterThan(0)
      for (const value of strings(event)) expect(value.length).toBeLessThanOrEqual(LENGTH)
    }
    const exception = server.events[2]
    expect(exception?.droppedAttributesCount).toBe(3)

    // Links: 2 of 4 kept, each with 1 of its 2 attributes, the value cut.
    expect(linked.links).toHaveLength(2)
    expect(linked.droppedLinksCount).toBe(2)
    for (const link of linked.links) {
      expect(Object.keys(link.attributes)).toHaveLength(1)
      expect(link.droppedAttributesCount).toBe(1)
      for (const value of strings(link)) expect(value.length).toBeLessThanOrEqual(LENGTH)
    }

    const warnings = service
      .stderr()
      .split('\n')
      .filter((l) => l.includes('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT'))
    expect(warnings).toEqual([
      '[otelkit] warn: invalid OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT="short": expected a whole number from 0 to 1000000000; using the default',
    ])
  })
})
