/**
 * otelkit's tracer against the SDK's: the same calls give spans that read the same to every
 * span processor (attributes and their limits, events, links, status rules, exceptions, names,
 * parents, times), the sampling decisions equal the SDK samplers' on random trace ids, tracing
 * suppressed gives a non-recording span, a throwing processor never reaches the caller, and the
 * linked context behaves as the API's context however deep it nests.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { EventEmitter } from 'node:events'
import {
  type Context,
  context,
  createContextKey,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { isTracingSuppressed, suppressTracing, unsuppressTracing } from '@opentelemetry/core'
import { defaultResource } from '@opentelemetry/resources'
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config/resolve.js'
import type { SpanLimitsConfig } from '../src/config/resolved.js'
import { LINKED_ROOT, LinkedContext, linkable, SPAN_KEY } from '../src/trace/context.js'
import { OtelkitContextManager } from '../src/trace/context-manager.js'
import { drawnAt, drawnPool, newSpanId, newTraceId } from '../src/trace/ids.js'
import { isEmptyHook, SpanPipeline } from '../src/trace/pipeline.js'
import { samplingDecision } from '../src/trace/sampling.js'
import { OwnedAttributesOptions } from '../src/trace/span.js'
import { otelkitProvider, spanCollector } from './support/span-collector.js'

const contextManager = new OtelkitContextManager()
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
})
afterAll(() => {
  context.disable()
})

const LIMITS: SpanLimitsConfig = {
  ...resolveConfig({}).spanLimits,
  attributeCountLimit: 4,
  attributeValueLengthLimit: 8,
  eventCountLimit: 2,
  linkCountLimit: 2,
  attributePerEventCountLimit: 2,
  attributePerLinkCountLimit: 1,
}

function pair(limits: SpanLimitsConfig = LIMITS, extra: SpanProcessor[] = []) {
  const ours = spanCollector()
  const sdk = spanCollector()
  const resource = defaultResource()
  const otelkit = otelkitProvider({ resource, spanLimits: limits, spanProcessors: [...extra, ours] })
  const reference = new TracerProvider({ resource, spanLimits: limits, spanProcessors: [sdk] })
  return {
    tracers: [otelkit.getTracer('t', '1.0.0'), reference.getTracer('t', '1.0.0')] as const,
    ended: [ours.ended, sdk.ended] as const,
  }
}

/** What a processor or exporter reads of a span, without ids and clock readings. */
function view(span: ReadableSpan) {
  return {
    name: span.name,
    kind: span.kind,
    attributes: { ...span.attributes },
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((e) => ({
      name: e.name,
      attributes: e.attributes,
      droppedAttributesCount: e.droppedAttributesCount ?? 0,
    })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((l) => ({
      spanId: l.context.spanId,
      attributes: l.attributes,
      droppedAttributesCount: l.droppedAttributesCount ?? 0,
    })),
    droppedLinksCount: span.droppedLinksCount,
    status: span.status,
    ended: span.ended,
    scope: span.instrumentationScope,
    sampled: (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 1,
  }
}

const LINK = (n: number) => ({
  context: {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: `00f067aa0ba902b${n}`,
    traceFlags: TraceFlags.SAMPLED,
  },
  attributes: { a: 1, b: 2 },
})

/** The same calls on a tracer, every span API method used. */
function exercise(tracer: Tracer): void {
  const span = tracer.startSpan('first', {
    kind: SpanKind.CLIENT,
    attributes: { short: 'abc', long: 'abcdefghijklmnop', n: 1, yes: true, list: ['a', 'bcdefghijkl'] },
    links: [LINK(1), LINK(2), LINK(3)],
  })
  span.setAttribute('n', 2)
  span.setAttribute('over', 'the limit')
  span.setAttribute('undefined', undefined as unknown as string)
  span.setAttributes({ short: 'xyz' })
  span.addEvent('e1', { a: 'abcdefghijk', b: 2, c: 3 })
  span.addEvent('e2', [1700000000, 5])
  span.addEvent('e3')
  span.addLink(LINK(4))
  span.recordException(Object.assign(new Error('boom'), { code: 'E_BOOM' }))
  const arrays = tracer.startSpan('arrays', { attributes: { list: ['a', 'bcdefghijkl'], map: { k: 'v' } } })
  arrays.end()
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' })
  span.setStatus({ code: SpanStatusCode.UNSET })
  span.updateName('renamed')
  span.end()
  span.setAttribute('after', 'end')
  span.end()

  const ok = tracer.startSpan('ok')
  ok.setStatus({ code: SpanStatusCode.OK })
  ok.setStatus({ code: SpanStatusCode.ERROR, message: 'ignored after OK' })
  ok.recordException('a message only')
  ok.end()
}

describe("otelkit's tracer reads as the SDK's to span processors", () => {
  it('attributes, limits, events, links, exceptions, status and names match', () => {
    const { tracers, ended } = pair()
    for (const tracer of tracers) exercise(tracer)
    const [ours, sdk] = ended
    expect(ours.map(view)).toEqual(sdk.map(view))
    // Four attributes at most: the fifth start attribute and 'over' are dropped, strings cut at 8.
    expect(ours.find((s) => s.name === 'renamed')?.attributes).toEqual({
      short: 'xyz',
      long: 'abcdefgh',
      n: 2,
      yes: true,
    })
    expect(ours.find((s) => s.name === 'renamed')?.droppedAttributesCount).toBe(2)
    const arrays = ours.find((s) => s.name === 'arrays')
    expect(arrays?.attributes).toEqual({ list: ['a', 'bcdefghi'], map: { k: 'v' } })
    const first = ours.find((s) => s.name === 'renamed') as ReadableSpan
    expect(first.events.map((e) => e.name)).toEqual(['e3', 'exception'])
    expect(first.links.map((l) => l.context.spanId)).toEqual(['00f067aa0ba902b3', '00f067aa0ba902b4'])
  })

  it('parents, trace ids and remote parents as the SDK links them', () => {
    const { tracers, ended } = pair()
    const remote = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    }
    for (const tracer of tracers) {
      tracer.startActiveSpan('root', (root: Span) => {
        tracer.startSpan('child').end()
        tracer.startSpan('detached', { root: true }).end()
        root.end()
      })
      tracer.startSpan('remote child', {}, trace.setSpanContext(ROOT_CONTEXT, remote)).end()
    }
    for (const spans of ended) {
      const byName = new Map(spans.map((s) => [s.name, s]))
      const root = byName.get('root') as ReadableSpan
      const child = byName.get('child') as ReadableSpan
      expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId)
      expect(child.spanContext().traceId).toBe(root.spanContext().traceId)
      expect(byName.get('detached')?.parentSpanContext).toBeUndefined()
      expect(byName.get('detached')?.spanContext().traceId).not.toBe(root.spanContext().traceId)
      const remoteChild = byName.get('remote child') as ReadableSpan
      expect(remoteChild.spanContext().traceId).toBe(remote.traceId)
      expect(remoteChild.parentSpanContext).toMatchObject({ spanId: remote.spanId, isRemote: true })
    }
  })

  it('times: start and end from the clock, or exactly as given; durations never negative', () => {
    const { tracers, ended } = pair()
    const before = Date.now()
    for (const tracer of tracers) {
      const span = tracer.startSpan('timed')
      const busyUntil = performance.now() + 5
      while (performance.now() < busyUntil) {}
      span.end()
      tracer.startSpan('given', { startTime: [1_999_999_999, 999_999_999] }).end([2_000_000_000, 5])
      tracer.startSpan('backwards', { startTime: new Date(before + 60_000) }).end(new Date(before))
    }
    const after = Date.now()
    for (const spans of ended) {
      const [timed, given, backwards] = spans as [ReadableSpan, ReadableSpan, ReadableSpan]
      const startMs = timed.startTime[0] * 1000 + timed.startTime[1] / 1e6
      expect(startMs).toBeGreaterThanOrEqual(before - 1)
      expect(startMs).toBeLessThanOrEqual(after + 1)
      const durationMs = timed.duration[0] * 1000 + timed.duration[1] / 1e6
      expect(durationMs).toBeGreaterThanOrEqual(5)
      expect(durationMs).toBeLessThan(after - before + 2)
      expect(given.startTime).toEqual([1_999_999_999, 999_999_999])
      expect(given.endTime).toEqual([2_000_000_000, 5])
      expect(given.duration).toEqual([0, 6])
      expect(backwards.duration).toEqual([0, 0])
      expect(backwards.endTime).toEqual(backwards.startTime)
    }
  })

  it('events and links added to one span stay on that span (spans without any share nothing)', () => {
    const { tracers, ended } = pair()
    for (const tracer of tracers) {
      const plain = tracer.startSpan('plain')
      const withEvent = tracer.startSpan('with event')
      withEvent.addEvent('only here')
      withEvent.addLink(LINK(1))
      const another = tracer.startSpan('another')
      another.addEvent('second')
      plain.end()
      withEvent.end()
      another.end()
    }
    for (const spans of ended) {
      const [plain, withEvent, another] = spans as [ReadableSpan, ReadableSpan, ReadableSpan]
      expect(plain.events).toEqual([])
      expect(plain.links).toEqual([])
      expect(withEvent.events.map((e) => e.name)).toEqual(['only here'])
      expect(withEvent.links).toHaveLength(1)
      expect(another.events.map((e) => e.name)).toEqual(['second'])
      expect(another.links).toEqual([])
    }
  })

  it('suppressed tracing gives a non-recording span that reaches no processor', () => {
    const { tracers, ended } = pair()
    const span = tracers[0].startSpan('quiet', {}, suppressTracing(ROOT_CONTEXT))
    expect(span.isRecording()).toBe(false)
    span.end()
    expect(ended[0]).toHaveLength(0)
  })

  it('a processor that throws never reaches the instrumented code, and the others still run', () => {
    const throwing: SpanProcessor = {
      onStart: () => {
        throw new Error('onStart failed')
      },
      onEnding: () => {
        throw new Error('onEnding failed')
      },
      onEnd: () => {
        throw new Error('onEnd failed')
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    }
    const { tracers, ended } = pair(LIMITS, [throwing])
    expect(() => tracers[0].startSpan('survives').end()).not.toThrow()
    expect(ended[0].map((s) => s.name)).toEqual(['survives'])
  })

  it('processors may still change a span in onEnding, and it reads as ended in onEnd', () => {
    const seen: boolean[] = []
    const renaming: SpanProcessor = {
      onStart: () => {},
      onEnding: (span) => {
        span.setAttribute('added.in', 'onEnding')
        seen.push(span.ended)
      },
      onEnd: (span) => {
        seen.push(span.ended)
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    }
    const { tracers, ended } = pair(resolveConfig({}).spanLimits, [renaming])
    tracers[0].startSpan('changed').end()
    expect(ended[0][0]?.attributes['added.in']).toBe('onEnding')
    expect(seen).toEqual([false, true])
  })
})

describe("attributes otelkit's instrumentations hand over", () => {
  function tracerWith(limits: Partial<SpanLimitsConfig>) {
    const collector = spanCollector()
    const provider = otelkitProvider({ spanLimits: limits, spanProcessors: [collector] })
    return { tracer: provider.getTracer('own'), ended: collector.ended }
  }

  it('are adopted as they are when complete and within the limits', () => {
    const { tracer, ended } = tracerWith({})
    const attributes = { 'db.system.name': 'postgresql', 'server.port': 5432 }
    tracer.startSpan('q', new OwnedAttributesOptions(SpanKind.CLIENT, attributes)).end()
    expect(ended[0]?.attributes).toBe(attributes)
    expect(ended[0]?.kind).toBe(SpanKind.CLIENT)
  })

  it('are copied as the SDK keeps them otherwise: undefined left out, strings cut, the count held', () => {
    const { tracer, ended } = tracerWith({ attributeCountLimit: 2 })
    const withUndefined = { a: 'x', b: undefined as unknown as string }
    tracer.startSpan('undefined', new OwnedAttributesOptions(SpanKind.CLIENT, withUndefined)).end()
    tracer.startSpan('over', new OwnedAttributesOptions(SpanKind.CLIENT, { a: 1, b: 2, c: 3 })).end()
    expect(ended[0]?.attributes).toEqual({ a: 'x' })
    expect(ended[0]?.attributes).not.toBe(withUndefined)
    expect(Object.keys(ended[0]?.attributes ?? {})).toEqual(['a'])
    expect(ended[1]?.attributes).toEqual({ a: 1, b: 2 })
    expect(ended[1]?.droppedAttributesCount).toBe(1)
    const cut = tracerWith({ attributeValueLengthLimit: 3 })
    cut.tracer.startSpan('cut', new OwnedAttributesOptions(SpanKind.SERVER, { path: '/items/7' })).end()
    expect(cut.ended[0]?.attributes).toEqual({ path: '/it' })
  })
})

describe('sampling decisions equal the SDK samplers', () => {
  const ids = Array.from({ length: 20_000 }, () => newTraceId())
  const parents = [
    undefined,
    { traceId: ids[0]!, spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED, isRemote: true },
    { traceId: ids[0]!, spanId: newSpanId(), traceFlags: TraceFlags.NONE, isRemote: true },
    { traceId: ids[0]!, spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED },
    { traceId: ids[0]!, spanId: newSpanId(), traceFlags: TraceFlags.NONE },
  ]
  const cases: Array<{ sampler: string; ratio: number; sdk: Sampler }> = [
    { sampler: 'always_on', ratio: 1, sdk: new AlwaysOnSampler() },
    { sampler: 'always_off', ratio: 1, sdk: new AlwaysOffSampler() },
    { sampler: 'traceidratio', ratio: 0.1, sdk: new TraceIdRatioBasedSampler(0.1) },
    { sampler: 'traceidratio', ratio: 0.5, sdk: new TraceIdRatioBasedSampler(0.5) },
    {
      sampler: 'parentbased_always_on',
      ratio: 1,
      sdk: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    },
    {
      sampler: 'parentbased_always_off',
      ratio: 1,
      sdk: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    },
    {
      sampler: 'parentbased_traceidratio',
      ratio: 0.1,
      sdk: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
    },
  ]
  it.each(cases)('$sampler ($ratio)', ({ sampler, ratio, sdk }) => {
    const decide = samplingDecision({ sampler: sampler as never, samplerRatio: ratio })
    let sampled = 0
    for (const parent of parents) {
      const ctx = parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent)
      for (const traceId of parent === undefined ? ids : ids.slice(0, 200)) {
        const expected = sdk.shouldSample(ctx, traceId, 'n', SpanKind.SERVER, {}, []).decision === 2
        expect(decide(parent, traceId)).toBe(expected)
        if (parent === undefined && expected) sampled++
      }
    }
    if (sampler.endsWith('traceidratio')) {
      // The ratio holds on random ids (20,000 draws: within ±15 % of the expected count).
      expect(Math.abs(sampled - ratio * ids.length)).toBeLessThan(0.15 * ratio * ids.length)
    }
  })

  it('decides a root span from its freshly drawn id (read from the id bytes) as the SDK does', () => {
    const decide = samplingDecision({ sampler: 'parentbased_traceidratio', samplerRatio: 0.3 })
    const sdk = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.3) })
    let sampled = 0
    for (let i = 0; i < 20_000; i++) {
      const traceId = newTraceId()
      const expected = sdk.shouldSample(ROOT_CONTEXT, traceId, 'n', SpanKind.SERVER, {}, []).decision === 2
      expect(decide(undefined, traceId)).toBe(expected)
      if (expected) sampled++
    }
    expect(Math.abs(sampled - 6000)).toBeLessThan(900)
  })

  it('unsampled spans are still recorded (metrics see them) but carry no sampled flag', () => {
    const collector = spanCollector()
    const provider = otelkitProvider({
      sample: samplingDecision({ sampler: 'always_off', samplerRatio: 1 }),
      spanProcessors: [collector],
    })
    const span = provider.getTracer('t').startSpan('unsampled')
    expect(span.isRecording()).toBe(true)
    span.end()
    expect(collector.ended).toHaveLength(1)
    expect(collector.ended[0]?.spanContext().traceFlags).toBe(TraceFlags.NONE)
  })
})

describe('ids', () => {
  it('are lowercase hex of the right length and do not repeat', () => {
    const traceIds = new Set(Array.from({ length: 5000 }, () => newTraceId()))
    const spanIds = new Set(Array.from({ length: 5000 }, () => newSpanId()))
    expect(traceIds.size).toBe(5000)
    expect(spanIds.size).toBe(5000)
    for (const id of traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/)
    for (const id of spanIds) expect(id).toMatch(/^[0-9a-f]{16}$/)
  })

  it('are the hex of the bytes they were drawn from, for every byte value', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 3000; i++) {
      const traceId = newTraceId()
      const traceBytes = Buffer.from(drawnPool.buffer, drawnPool.byteOffset + drawnAt, 16)
      expect(traceId).toBe(traceBytes.toString('hex'))
      const spanId = newSpanId()
      const spanBytes = Buffer.from(drawnPool.buffer, drawnPool.byteOffset + drawnAt, 8)
      expect(spanId).toBe(spanBytes.toString('hex'))
      for (const byte of spanBytes) seen.add(byte.toString(16))
    }
    expect(seen.size).toBe(256)
  })
})

describe('linked context', () => {
  const A = createContextKey('a')
  const B = createContextKey('b')

  it('sets, reads, shadows and deletes values as the API context does', () => {
    const base = ROOT_CONTEXT.setValue(A, 'from-base')
    const linked: Context = new LinkedContext(base, Symbol('root'), undefined)
    const one = linked.setValue(B, 1)
    const two = one.setValue(B, 2)
    expect(one.getValue(A)).toBe('from-base')
    expect(one.getValue(B)).toBe(1)
    expect(two.getValue(B)).toBe(2)
    expect(two.deleteValue(B).getValue(B)).toBeUndefined()
    expect(two.deleteValue(A).getValue(A)).toBeUndefined()
    expect(two.getValue(A)).toBe('from-base')
  })

  it('stays correct past the depth where it flattens, and lookups stay short', () => {
    let ctx: Context = LINKED_ROOT
    const keys = Array.from({ length: 100 }, (_, i) => createContextKey(`k${i}`))
    for (let i = 0; i < 100; i++) ctx = ctx.setValue(keys[i] as symbol, i)
    ctx = ctx.setValue(keys[10] as symbol, 'overwritten').deleteValue(keys[20] as symbol)
    for (let i = 0; i < 100; i++) {
      const expected = i === 10 ? 'overwritten' : i === 20 ? undefined : i
      expect(ctx.getValue(keys[i] as symbol)).toBe(expected)
    }
    expect(ctx.getValue(createContextKey('absent'))).toBeUndefined()
  })

  it('answers suppressed tracing wherever it was set: a node, a flattened chain, a parent of the API', () => {
    expect(isTracingSuppressed(LINKED_ROOT.setValue(A, 1))).toBe(false)
    const suppressed = suppressTracing(LINKED_ROOT.setValue(A, 1)).setValue(B, 2)
    expect(isTracingSuppressed(suppressed)).toBe(true)
    expect(isTracingSuppressed(suppressed.setValue(A, 3).setValue(B, 4))).toBe(true)
    // Past the flattening depth the flat node still holds it.
    let deep: Context = suppressed
    for (let i = 0; i < 80; i++) deep = deep.setValue(A, i)
    expect(isTracingSuppressed(deep)).toBe(true)
    // Set on the API's own context below a linked one.
    const below = new LinkedContext(suppressTracing(ROOT_CONTEXT), Symbol('root'), undefined)
    expect(isTracingSuppressed(below.setValue(B, 1))).toBe(true)
    expect(isTracingSuppressed(new LinkedContext(ROOT_CONTEXT, Symbol('root'), undefined))).toBe(false)
    // And lifted again above it.
    expect(isTracingSuppressed(unsuppressTracing(suppressed).setValue(A, 5))).toBe(false)
  })

  it('carries the active span through the context manager and the API', async () => {
    const collector = spanCollector()
    const provider = otelkitProvider({ spanProcessors: [collector] })
    const tracer = provider.getTracer('t')
    const parent = tracer.startSpan('parent')
    const ctx = linkable(context.active()).setValue(SPAN_KEY, parent)
    expect(ctx).toBeInstanceOf(LinkedContext)
    await context.with(ctx, async () => {
      await new Promise((r) => setTimeout(r, 1))
      expect(trace.getActiveSpan()).toBe(parent)
      tracer.startSpan('child').end()
    })
    parent.end()
    const child = collector.ended.find((s) => s.name === 'child')
    expect(child?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
  })
})

describe('context manager', () => {
  const key = createContextKey('k')

  it('runs fn in the context with the given this and arguments, returns its value, restores after', () => {
    const receiver = { name: 'receiver' }
    const ctx = ROOT_CONTEXT.setValue(key, 'inside')
    const seen: unknown[] = []
    const result = context.with(
      ctx,
      function (this: unknown, a: number, b: string) {
        seen.push(this, a, b, context.active().getValue(key))
        return 'returned'
      },
      receiver,
      1,
      'two',
    )
    expect(result).toBe('returned')
    expect(seen).toEqual([receiver, 1, 'two', 'inside'])
    expect(context.active().getValue(key)).toBeUndefined()
    // Without a this: the function is called as is.
    expect(context.with(ctx, (a: number) => a + 1, undefined, 41)).toBe(42)
  })

  it('restores the outer context when fn throws, nested or not, and carries it into async work', async () => {
    const outer = ROOT_CONTEXT.setValue(key, 'outer')
    const inner = ROOT_CONTEXT.setValue(key, 'inner')
    const receiver = {}
    context.with(outer, () => {
      expect(() =>
        context.with(
          inner,
          function (this: unknown) {
            expect(this).toBe(receiver)
            throw new Error('thrown inside')
          },
          receiver,
        ),
      ).toThrow('thrown inside')
      expect(context.active().getValue(key)).toBe('outer')
    })
    const later = await context.with(
      inner,
      async function (this: unknown) {
        await new Promise((r) => setTimeout(r, 1))
        return [this, context.active().getValue(key)]
      },
      receiver,
    )
    expect(later).toEqual([receiver, 'inner'])
  })

  it("keeps other AsyncLocalStorage stores inside and in async work, and puts the caller's frame back whole", async () => {
    const own = new AsyncLocalStorage<string>()
    const ctx = ROOT_CONTEXT.setValue(key, 'entered')
    const seen = await own.run('outer store', async () => {
      const inside = context.with(ctx, () => {
        const now = [own.getStore(), context.active().getValue(key)]
        // A store entered inside lasts as long as the context entered with it.
        own.enterWith('entered inside')
        const later = new Promise((resolve) =>
          setTimeout(() => resolve([own.getStore(), context.active().getValue(key)]), 1),
        )
        return { now, later }
      })
      const after = [own.getStore(), context.active().getValue(key)]
      // The context already active is not entered again: the same frame, the same stores.
      const again = context.with(context.active(), () => own.getStore())
      return { now: inside.now, later: await inside.later, after, again }
    })
    expect(seen.now).toEqual(['outer store', 'entered'])
    expect(seen.later).toEqual(['entered inside', 'entered'])
    expect(seen.after).toEqual(['outer store', undefined])
    expect(seen.again).toBe('outer store')
  })

  it('binds event emitters as the SDK does', () => {
    const emitter = new EventEmitter()
    const ctx = ROOT_CONTEXT.setValue(key, 'bound')
    context.bind(ctx, emitter)
    let seen: unknown
    emitter.on('event', () => {
      seen = context.active().getValue(key)
    })
    emitter.emit('event')
    expect(seen).toBe('bound')
  })
})

describe('span pipeline', () => {
  it('calls every hook that does something, in order, with its processor as this', () => {
    const calls: string[] = []
    class Recording implements SpanProcessor {
      constructor(readonly name: string) {}
      onStart(): void {
        calls.push(`${this.name}.onStart`)
      }
      onEnding(): void {
        calls.push(`${this.name}.onEnding`)
      }
      onEnd(): void {
        calls.push(`${this.name}.onEnd`)
      }
      forceFlush = () => Promise.resolve()
      shutdown = () => Promise.resolve()
    }
    class EndOnly implements SpanProcessor {
      onStart(): void {}
      onEnd(span: ReadableSpan): void {
        calls.push(`endOnly.onEnd ${span.name}`)
      }
      forceFlush = () => Promise.resolve()
      shutdown = () => Promise.resolve()
    }
    const pipeline = new SpanPipeline([new Recording('a'), new EndOnly(), new Recording('b')], LIMITS)
    const span = { name: 's' } as unknown as Span & ReadableSpan
    pipeline.onStart(span, ROOT_CONTEXT)
    pipeline.onEnding(span)
    pipeline.onEnd(span)
    expect(calls).toEqual([
      'a.onStart',
      'b.onStart',
      'a.onEnding',
      'b.onEnding',
      'a.onEnd',
      'endOnly.onEnd s',
      'b.onEnd',
    ])
  })

  it('skips only hooks whose body is empty', () => {
    class Hooks {
      empty(): void {}
      withParameters(_span: unknown, _ctx: unknown): void {}
      withBody(): number {
        return 1
      }
      withDefault(_a = calls()): void {}
    }
    const calls = () => 1
    const proto = Hooks.prototype
    expect(isEmptyHook(proto.empty)).toBe(true)
    expect(isEmptyHook(proto.withParameters)).toBe(true)
    expect(isEmptyHook(() => {})).toBe(false)
    expect(isEmptyHook(proto.withBody)).toBe(false)
    expect(isEmptyHook(proto.withDefault)).toBe(false)
    expect(isEmptyHook(proto.empty.bind(undefined))).toBe(false)
    expect(isEmptyHook(Math.max)).toBe(false)
    expect(isEmptyHook(undefined)).toBe(false)
  })
})
