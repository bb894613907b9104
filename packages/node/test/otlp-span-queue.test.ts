/**
 * The export queue of encoded spans: spans come out in the order they ended, across the ring's
 * wrap-around and growth and across the encoder's slabs, each batch grouped by scope with scope
 * numbers that stay valid for spans queued before a new scope appeared; a slab reused once every
 * span written into it is in a request, and only then (slab-pool.ts).
 */
import { SpanKind } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { encodeResource } from '../src/otlp/encode.js'
import { SlabPool } from '../src/otlp/slab-pool.js'
import { encodedSlab } from '../src/otlp/span-encoder.js'
import { EncodedSpanQueue } from '../src/otlp/span-queue.js'
import { fromProtobuf } from './support/otlp-receiver.js'
import { otelkitProvider } from './support/span-collector.js'

const resource = resourceFromAttributes({ 'service.name': 'queue' })

/** A provider whose spans are queued as the export path queues them: encoded when they end. */
function queueingProvider(queue: EncodedSpanQueue) {
  const processor: SpanProcessor = {
    onStart: () => {},
    onEnd: (span: ReadableSpan) => queue.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  }
  return otelkitProvider({ resource, spanProcessors: [processor] })
}

/** Names and scopes of the spans of a batch taken now. */
function takeNames(queue: EncodedSpanQueue, max: number): Array<{ name: string; scope: string }> {
  const request = queue.request(encodeResource(resource), queue.take(max))
  return fromProtobuf(request).map((s) => ({ name: s.name, scope: s.scope }))
}

describe('EncodedSpanQueue', () => {
  it('hands spans out oldest first across wrap-around and growth, one scope group each per batch', () => {
    const queue = new EncodedSpanQueue()
    const provider = queueingProvider(queue)
    const tracers = [provider.getTracer('a'), provider.getTracer('b')]
    let next = 0
    const end = (n: number) => {
      for (let i = 0; i < n; i++, next++) tracers[next % 2]!.startSpan(`s${next}`).end()
    }
    const taken: string[] = []
    const take = (max: number) => {
      const batch = takeNames(queue, max)
      // Within a batch, the spans of scope "a" come first (first seen), then those of "b", each
      // group in the order its spans ended.
      const scopes = batch.map((s) => s.scope)
      expect(scopes).toEqual([...scopes].sort())
      for (const scope of ['a', 'b']) {
        const numbers = batch.filter((s) => s.scope === scope).map((s) => Number(s.name.slice(1)))
        expect(numbers).toEqual([...numbers].sort((x, y) => x - y))
      }
      const numbers = batch.map((s) => Number(s.name.slice(1))).sort((x, y) => x - y)
      taken.push(...numbers.map((n) => `s${n}`))
      return batch.length
    }
    end(50)
    expect(take(30)).toBe(30)
    // 20 queued from offset 30 of 64: 100 more wrap around, then grow the ring twice.
    end(100)
    expect(queue.length).toBe(120)
    for (let i = 0; i < 7; i++) expect(take(10)).toBe(10)
    end(10)
    expect(take(1000)).toBe(60)
    expect(queue.length).toBe(0)
    expect(take(10)).toBe(0)
    expect(taken).toEqual(Array.from({ length: 160 }, (_, i) => `s${i}`))
  })

  it('keeps the bytes of spans queued before the encoder moved on to a new slab', () => {
    const queue = new EncodedSpanQueue()
    const tracer = queueingProvider(queue).getTracer('big')
    // 200 spans of about 4 KiB: several 256 KiB slabs, all spans still queued.
    for (let i = 0; i < 200; i++) {
      tracer
        .startSpan(`big ${i}`, {
          kind: SpanKind.CLIENT,
          attributes: { payload: String(i).padEnd(4000, '.') },
        })
        .end()
    }
    const spans = fromProtobuf(queue.request(encodeResource(resource), queue.take(200)))
    expect(spans.map((s) => s.name)).toEqual(Array.from({ length: 200 }, (_, i) => `big ${i}`))
    expect(spans.map((s) => s.attributes.payload)).toEqual(
      Array.from({ length: 200 }, (_, i) => String(i).padEnd(4000, '.')),
    )
  })

  it('numbers a scope first seen after earlier spans were queued without disturbing theirs', () => {
    const queue = new EncodedSpanQueue()
    const provider = queueingProvider(queue)
    // More scopes than the identity cache holds, each returning after the others.
    const names = ['p', 'q', 'r', 's', 't', 'u']
    for (let round = 0; round < 3; round++) {
      for (const name of names) provider.getTracer(name, '1.0.0').startSpan(`${name}${round}`).end()
    }
    const spans = takeNames(queue, 100)
    expect(spans).toHaveLength(18)
    for (const span of spans) expect(span.name[0]).toBe(span.scope)
    expect([...new Set(spans.map((s) => s.scope))]).toEqual(names)
    expect(queue.scopeTable).toHaveLength(6)
  })

  it('reuses a slab once its spans are in a request, and never overwrites a span still queued', () => {
    const queue = new EncodedSpanQueue()
    const tracer = queueingProvider(queue).getTracer('reuse')
    const payload = (i: number) => String(i).padEnd(2000, '.')
    const slabsUsed = new Set<Buffer>()
    let ended = 0
    const end = (n: number) => {
      for (let i = 0; i < n; i++, ended++) {
        tracer.startSpan(`span ${ended}`, { attributes: { payload: payload(ended) } }).end()
        slabsUsed.add(encodedSlab)
      }
    }
    const exported: string[] = []
    /** Takes a batch, lets `meanwhile` more spans end (as while a send waits), then encodes it. */
    const exportBatch = (max: number, meanwhile = 0) => {
      const batch = queue.take(max)
      end(meanwhile)
      for (const span of fromProtobuf(queue.request(encodeResource(resource), batch))) {
        // Every span's bytes as encoded: a slab reused too early would show another span's here.
        expect(span.attributes.payload).toBe(payload(Number(span.name.slice(5))))
        exported.push(span.name)
      }
    }
    // About 2 KiB a span, 127 a slab: batches of 150 while as many spans end, between a batch's
    // take and its request too; the queue never empty, slabs retired with spans still queued.
    end(150)
    for (let round = 0; round < 30; round++) exportBatch(150, 150)
    exportBatch(10_000)
    expect(exported).toEqual(Array.from({ length: ended }, (_, i) => `span ${i}`))
    // 4,650 spans of about 2 KiB fill 37 slabs; about 300 are queued or in a batch at a time (3
    // slabs), and the slabs in use are the same few.
    expect(slabsUsed.size).toBeLessThanOrEqual(5)
  })

  it('hands a slab out again only when every span written there was released', () => {
    const pool = new SlabPool(1024, 2)
    const first = pool.next(100)
    for (let i = 0; i < 3; i++) pool.wrote()
    pool.release(first, 1)
    const second = pool.next(100)
    pool.wrote()
    // `first` retired with two spans outstanding: not free yet.
    expect(pool.freeCount).toBe(0)
    pool.release(first, 1)
    expect(pool.freeCount).toBe(0)
    pool.release(first, 1)
    expect(pool.freeCount).toBe(1)
    // A release of a slab no longer tracked changes nothing.
    pool.release(first, 1)
    expect(pool.freeCount).toBe(1)
    expect(pool.next(100)).toBe(first)
    // `second` retired with its span unreleased, then released too often: never reused.
    pool.wrote()
    pool.release(second, 2)
    expect(pool.freeCount).toBe(0)
    // A span larger than a slab gets a slab of its own, never kept.
    pool.release(first, 1)
    const big = pool.next(5000)
    expect(big.length).toBe(5000)
    expect(pool.freeCount).toBe(1)
    pool.wrote()
    pool.release(big, 1)
    pool.next(100)
    expect(pool.freeCount).toBe(0)
  })
})
