/**
 * otelkit's own OTLP protobuf encoding checked against the official serializer: the same spans
 * (all attribute types, events, links, status, remote parents) decode to the same content, for
 * spans of otelkit's tracer (what the preload makes) and of the SDK's.
 */
import { context, SpanKind, SpanStatusCode, TraceFlags, type Tracer, trace } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { encodeResource } from '../src/otlp/encode.js'
import { writeEpochMs, writeEpochMsTo, writeUnixNanos } from '../src/otlp/protobuf-writer.js'
import { EncodedSpanQueue } from '../src/otlp/span-queue.js'
import { msToHrTime } from '../src/trace/clock.js'
import type { OtelkitTracerProvider } from '../src/trace/tracer.js'
import { type Field, fromProtobuf, readFields } from './support/otlp-receiver.js'
import {
  otelkitProvider,
  spanCollector,
  TRACER_PROVIDERS,
  type TracerProviderOptions,
} from './support/span-collector.js'

function makeSpans(make: (options: TracerProviderOptions) => OtelkitTracerProvider | TracerProvider) {
  const collector = spanCollector()
  const finished = collector.ended
  const provider = make({
    resource: resourceFromAttributes({ 'service.name': 'enc', 'host.name': 'h' }),
    spanProcessors: [collector],
  })
  const tracer = provider.getTracer('scope-a', '1.2.3')
  const remoteParent = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  }
  const parentCtx = trace.setSpanContext(context.active(), remoteParent)
  const span = tracer.startSpan(
    'GET /orders/:id',
    {
      kind: SpanKind.SERVER,
      attributes: {
        str: 'välue ✓',
        int: 42,
        neg: -7,
        big: 2 ** 40,
        dbl: 3.25,
        yes: true,
        list: ['a', 'b'],
        nums: [1, 2.5],
      },
      links: [{ context: { ...remoteParent, spanId: '00f067aa0ba902b7' }, attributes: { why: 'batch' } }],
    },
    parentCtx,
  )
  span.addEvent('cache miss', { key_count: 3 })
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' })
  span.end()
  const other = provider.getTracer('scope-b').startSpan('child', { kind: SpanKind.CLIENT })
  other.end()
  if (finished.length !== 2) throw new Error(`expected 2 spans, got ${finished.length}`)
  return finished
}

/** The export request of `spans` (of one resource) as the export path makes it: queued, then taken as one batch. */
function exportRequestOf(spans: readonly ReadableSpan[]): Buffer {
  const queue = new EncodedSpanQueue()
  for (const span of spans) queue.push(span)
  return queue.request(encodeResource(spans[0]!.resource), queue.take(spans.length))
}

/** An export request of `spans` from otelkit's encoder and from the official serializer. */
function encodeBothWays(spans: ReadableSpan[]): { ours: Buffer; official: Buffer } {
  return {
    ours: exportRequestOf(spans),
    official: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array),
  }
}

/**
 * A message as { fieldNumber: [values] }, recursively for the nested messages named in `nested`;
 * zero scalars are left out (proto3 treats them as absent).
 */
function tree(buf: Buffer, path: string, nested: Set<string>): Record<number, unknown[]> {
  const out: Record<number, unknown[]> = {}
  for (const f of readFields(buf) as Field[]) {
    const here = `${path}.${f.no}`
    let value: unknown
    if (f.value instanceof Buffer)
      value = nested.has(here) ? tree(f.value, here, nested) : f.value.toString('hex')
    else if (f.value === 0n) continue
    else value = String(f.value)
    const list = out[f.no] ?? []
    list.push(value)
    out[f.no] = list
  }
  return out
}

/**
 * The nested messages of a request whose spans have attributes and a status but no events or
 * links: resource spans, resource and its attributes, scope spans, scope, spans, their attributes
 * and values, status.
 */
const PLAIN_SPAN_MESSAGES = new Set([
  '.1',
  '.1.1',
  '.1.1.1',
  '.1.1.1.2',
  '.1.2',
  '.1.2.1',
  '.1.2.2',
  '.1.2.2.9',
  '.1.2.2.9.2',
  '.1.2.2.15',
])

describe.each(TRACER_PROVIDERS)('OTLP protobuf encoding of spans from the $name tracer', ({ make }) => {
  it('decodes to the same content as the official serializer', () => {
    const spans = makeSpans(make)
    const { ours, official } = encodeBothWays(spans)

    const a = fromProtobuf(ours)
    const b = fromProtobuf(official)
    expect(a).toEqual(b)
    expect(a.map((s) => s.name).sort()).toEqual(['GET /orders/:id', 'child'])
    expect(a.find((s) => s.name === 'GET /orders/:id')?.attributes).toMatchObject({
      str: 'välue ✓',
      int: 42,
      neg: -7,
      big: 2 ** 40,
      dbl: 3.25,
      yes: true,
    })

    // Field by field: span fields (times, events, links, status, flags, array values).
    const nested = new Set([
      '.1',
      '.1.1',
      '.1.2',
      '.1.2.1',
      '.1.2.2',
      '.1.2.2.9',
      '.1.2.2.9.2',
      '.1.2.2.9.2.5',
      '.1.2.2.9.2.5.1',
      '.1.2.2.11',
      '.1.2.2.11.3',
      '.1.2.2.11.3.2',
      '.1.2.2.13',
      '.1.2.2.13.4',
      '.1.2.2.13.4.2',
      '.1.2.2.15',
      '.1.1.1',
      '.1.1.1.2',
      '.1.2.1.3',
    ])
    expect(tree(ours, '', nested)).toEqual(tree(official, '', nested))
  })
})

describe.each(TRACER_PROVIDERS)('OTLP protobuf encoding of sized fields ($name tracer)', ({ make }) => {
  it('writes long, non-ASCII and surrogate strings, large integers and odd times as the official serializer', () => {
    const collector = spanCollector()
    const finished = collector.ended
    const provider = make({
      spanProcessors: [collector],
    })
    const tracer = provider.getTracer('sizes')
    const span = tracer.startSpan('sized ✓ 😀', {
      kind: SpanKind.CLIENT,
      startTime: [1_999_999_999, 999_999_999],
      attributes: {
        long: 'x'.repeat(300),
        longUnicode: 'ü'.repeat(100),
        edge: 'y'.repeat(64),
        emoji: 'a😀b',
        lone: 'a\ud800b',
        empty: '',
        ключ: 'значение',
        huge: 2 ** 50,
        justBelow: 2 ** 35 - 1,
        at: 2 ** 35,
        minus: -(2 ** 40),
        zero: 0,
        no: false,
      },
    })
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'x'.repeat(200) })
    span.end([1_999_999_999 + 1, 5])
    const { ours, official } = encodeBothWays(finished)
    expect(fromProtobuf(ours)).toEqual(fromProtobuf(official))
    expect(tree(ours, '', PLAIN_SPAN_MESSAGES)).toEqual(tree(official, '', PLAIN_SPAN_MESSAGES))
  })
})

describe('OTLP protobuf encoding of repeated attribute values', () => {
  it('serves repeated values from its cache and still decodes as the official serializer', () => {
    const collector = spanCollector()
    const finished = collector.ended
    const provider = otelkitProvider({
      resource: resourceFromAttributes({ 'service.name': 'repeat' }),
      spanProcessors: [collector],
    })
    const tracer = provider.getTracer('repeat')
    // A value kept, changed, changed back, a key whose type changes, a long value never cached,
    // two values alternating (spans of two kinds on the same key), and more distinct values than a
    // key keeps, so older ones are dropped and come back.
    const flips = ['A', 'A', 'B', 'B', 'A', 'A', 'A']
    const alternating = ['postgresql', 'redis', 'postgresql', 'redis', 'postgresql', 'redis', 'postgresql']
    const cycling = ['p', 'q', 'r', 's', 't', 'p', 'q']
    // Span names repeat and alternate too (their encoded field is kept); one is too long to keep.
    const names = ['GET /items/:id', 'get', 'GET /items/:id', 'ünïcode', 'get', 'n'.repeat(300), 'ünïcode']
    for (let i = 0; i < flips.length; i++) {
      const span = tracer.startSpan(names[i] as string, {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': 'GET',
          'url.path': `/items/${i}`,
          flip: flips[i],
          port: i < 4 ? 5432 : 6379,
          typed: i % 2 === 0 ? '1' : 1,
          ok: i !== 3,
          ratio: 0.5,
          long: 'ü'.repeat(300),
          'db.system.name': alternating[i],
          cycle: cycling[i],
        },
      })
      span.setAttribute('late', i < 3 ? 'x' : 'y')
      span.end()
    }
    const { ours, official } = encodeBothWays(finished)
    const decoded = fromProtobuf(ours)
    expect(decoded).toEqual(fromProtobuf(official))
    expect(decoded.map((s) => s.attributes.flip)).toEqual(flips)
    expect(decoded.map((s) => s.attributes.typed)).toEqual(['1', 1, '1', 1, '1', 1, '1'])
    expect(decoded.map((s) => s.attributes['url.path'])).toEqual(flips.map((_, i) => `/items/${i}`))
    expect(decoded.map((s) => s.attributes['db.system.name'])).toEqual(alternating)
    expect(decoded.map((s) => s.attributes.cycle)).toEqual(cycling)
    expect(decoded.map((s) => s.name)).toEqual(names)
  })
})

describe('OTLP export request of a large batch', () => {
  it('groups 600 spans of three scopes (one with a schema URL) as the official serializer does', () => {
    const collector = spanCollector()
    const provider = otelkitProvider({
      resource: resourceFromAttributes({ 'service.name': 'batch' }),
      spanProcessors: [collector],
    })
    const tracers = [
      provider.getTracer('http', '1.0.0'),
      provider.getTracer('pg', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }),
      provider.getTracer('redis'),
    ]
    for (let i = 0; i < 600; i++) {
      const span = (tracers[i % 3] as Tracer).startSpan(`op ${i % 7}`, {
        kind: SpanKind.CLIENT,
        attributes: { i, 'db.query.text': `SELECT ${'x'.repeat(i % 50)}` },
      })
      span.end()
    }
    const { ours, official } = encodeBothWays(collector.ended)
    // Long enough that the request's and the scope groups' lengths take three-byte varints.
    expect(ours.length).toBeGreaterThan(0x4000)
    expect(tree(ours, '', PLAIN_SPAN_MESSAGES)).toEqual(tree(official, '', PLAIN_SPAN_MESSAGES))
    expect(fromProtobuf(ours)).toHaveLength(600)
  })
})

describe('OTLP ids of spans from otelkit tracer', () => {
  it('are the bytes of their hex ids, also for spans encoded long after their id pool was used up', () => {
    const collector = spanCollector()
    const provider = otelkitProvider({ spanProcessors: [collector] })
    const tracer = provider.getTracer('ids')
    const remote = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    })
    // 400 traces of three local generations, and children of a remote parent: about 16 KiB of
    // ids, several 4 KiB pools, all encoded only after the last span.
    for (let i = 0; i < 400; i++) {
      const root = tracer.startSpan('root', {}, i % 4 === 0 ? remote : undefined)
      const rootContext = trace.setSpan(context.active(), root)
      const child = tracer.startSpan('child', {}, rootContext)
      tracer.startSpan('grandchild', {}, trace.setSpan(rootContext, child)).end()
      child.end()
      root.end()
    }
    const spans = collector.ended
    const received = fromProtobuf(encodeBothWays(spans).ours)
    expect(received).toHaveLength(1200)
    received.forEach((got, i) => {
      const span = spans[i] as ReadableSpan
      expect(got.traceId).toBe(span.spanContext().traceId)
      expect(got.spanId).toBe(span.spanContext().spanId)
      expect(got.parentSpanId).toBe(span.parentSpanContext?.spanId ?? '')
    })
    const { ours, official } = encodeBothWays(spans)
    expect(tree(ours, '', PLAIN_SPAN_MESSAGES)).toEqual(tree(official, '', PLAIN_SPAN_MESSAGES))
  })
})

describe('OTLP protobuf encoding of repeating spans (whole attribute blocks)', () => {
  it('decodes as the official serializer when a name repeats with the same, changed, reordered, extra or missing attributes', () => {
    const collector = spanCollector()
    const provider = otelkitProvider({ spanProcessors: [collector] })
    const tracer = provider.getTracer('blocks')
    const query = {
      'db.system.name': 'postgresql',
      'db.namespace': 'shop',
      'db.query.text': 'SELECT id, name FROM items WHERE id = $1',
      'server.address': '127.0.0.1',
      'server.port': 5432,
    }
    const variants: Array<Record<string, string | number | boolean>> = [
      query,
      query,
      { ...query }, // equal values in a new object
      { ...query, 'server.port': 5433 }, // one value changed
      query,
      { ...query, 'server.port': '5432' }, // same text, another type
      Object.fromEntries(Object.entries(query).reverse()), // same keys and values, another order
      { ...query, 'db.operation.name': 'SELECT' }, // a key more
      { 'db.system.name': 'postgresql', 'db.namespace': 'shop' }, // keys fewer
      query,
      { ...query, ok: true },
      { ...query, ok: false },
      query,
    ]
    for (let round = 0; round < 3; round++) {
      for (const attributes of variants) {
        tracer.startSpan('SELECT items', { kind: SpanKind.CLIENT, attributes }).end()
        // Another name in between, with attributes of its own.
        tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'redis' } }).end()
      }
    }
    const spans = collector.ended
    const { ours, official } = encodeBothWays(spans)
    const decoded = fromProtobuf(ours)
    expect(decoded).toEqual(fromProtobuf(official))
    const queries = decoded.filter((s) => s.name === 'SELECT items')
    expect(queries.map((s) => s.attributes)).toEqual([...variants, ...variants, ...variants])
  })
})

describe('OTLP times of spans from otelkit tracer', () => {
  it('are written from epoch milliseconds as the same nanoseconds as the span reads as an HrTime', () => {
    const samples = [
      0,
      0.0000004,
      999.9999996, // rounds up into the next second
      1_764_619_200_000,
      1_764_619_200_123.456,
      1_764_619_200_999 + 0.9999997, // the nearest double, rounding into the next second
      2 ** 41 + 0.5,
    ]
    for (let i = 0; i < 2000; i++) samples.push(1_700_000_000_000 + Math.random() * 1e11)
    // Several times within each second, one second after another: writeEpochMsTo keeps the last
    // second's halves, and in some of these seconds adding the nanoseconds carries into the high half.
    for (let second = 1_764_619_200; second < 1_764_619_220; second++) {
      for (const part of [0, 0.000001, 250.25, 999.999999]) samples.push(second * 1000 + part)
    }
    for (const ms of samples) {
      const fromMs = Buffer.alloc(12)
      const fromHrTime = Buffer.alloc(8)
      expect(writeEpochMs(fromMs, 4, ms)).toBe(12)
      writeUnixNanos(fromHrTime, 0, msToHrTime(ms))
      expect(fromMs.readBigUInt64LE(4), `${ms} ms`).toBe(fromHrTime.readBigUInt64LE(0))
      // Through a DataView over part of a larger buffer: the same bytes.
      const backing = Buffer.alloc(24)
      const view = new DataView(backing.buffer, backing.byteOffset + 4, 16)
      expect(writeEpochMsTo(view, 4, ms)).toBe(12)
      expect(backing.readBigUInt64LE(8), `${ms} ms through a view`).toBe(fromHrTime.readBigUInt64LE(0))
    }
    // Past the fast path's years (and before 1970), through a view as well.
    for (const ms of [4_611_686_018_000.5, 9e12 + 0.25, -1500.25]) {
      const direct = Buffer.alloc(8)
      writeEpochMs(direct, 0, ms)
      const backing = Buffer.alloc(12)
      writeEpochMsTo(new DataView(backing.buffer, backing.byteOffset + 2, 10), 2, ms)
      expect(backing.subarray(4, 12), `${ms} ms`).toEqual(direct)
    }
  })

  it('are written from seconds and nanoseconds as the exact 64-bit unix nanoseconds, in any year', () => {
    const times: Array<[number, number]> = [
      [0, 0],
      [0, 999_999_999],
      [1_764_619_200, 0],
      [1_764_619_200, 999_999_999],
      [4_294_967_295, 999_999_999], // the last second below 2^32
      [4_611_686_017, 999_999_999], // the last second of the fast path
      [4_611_686_018, 1], // the general path
      [9_000_000_000, 123_456_789],
    ]
    for (let i = 0; i < 2000; i++) {
      times.push([Math.floor(Math.random() * 4e9), Math.floor(Math.random() * 1e9)])
    }
    for (const [seconds, nanos] of times) {
      const buf = Buffer.alloc(8)
      writeUnixNanos(buf, 0, [seconds, nanos])
      const exact = BigInt(seconds) * 1_000_000_000n + BigInt(nanos)
      expect(buf.readBigUInt64LE(0), `${seconds} s ${nanos} ns`).toBe(exact)
    }
  })
})
