/**
 * Metrics and spans through @opentelemetry/api only: the global MeterProvider / TracerProvider when
 * one is registered (the @otelkit/node preload registers both), no-ops otherwise. Attribute sets are
 * built once per cache so recording on the hot path allocates nothing. No key is ever an attribute.
 */
import {
  type Attributes,
  type Counter,
  context,
  type Histogram,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { VERSION } from './version.js'

export type CacheResult = 'hit' | 'miss' | 'stale'
export type CacheTier = 'l1' | 'l2'
export type HttpCacheResult = 'hit' | 'miss' | 'stale' | 'bypass'

export class Telemetry {
  private readonly requests: Counter
  private readonly operationDuration: Histogram
  private readonly errors: Counter
  private readonly loaderDuration: Histogram
  private readonly evictions: Counter
  private readonly skipped: Counter
  private readonly httpRequests: Counter
  private readonly tracer: Tracer
  private readonly requestAttrs: Record<string, Attributes> = {}
  private readonly operationAttrs = new Map<string, Attributes>()
  private readonly errorAttrs = new Map<string, Attributes>()
  private readonly httpAttrs = new Map<string, Attributes>()
  private readonly base: Attributes
  private readonly getAttrs: Attributes

  constructor(
    readonly name: string,
    sizeOf: () => { entries: number; bytes: number } | undefined,
  ) {
    const meter = metrics.getMeter('@otelkit/cache', VERSION)
    this.base = { 'cache.name': name }
    this.getAttrs = { ...this.base, 'cache.operation': 'get' }
    this.requests = meter.createCounter('otelkit.cache.requests', {
      description: 'Cache lookups by result (hit, miss, stale) and the tier that answered (l1, l2).',
      unit: '{request}',
    })
    this.operationDuration = meter.createHistogram('otelkit.cache.operation.duration', {
      description: 'Duration of cache operations that reach Redis.',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [
          0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
        ],
      },
    })
    this.errors = meter.createCounter('otelkit.cache.errors', {
      description:
        'Cache errors by type (timeout, connection, breaker_open, loader, serialization, redis, entry_too_large, entry_malformed).',
      unit: '{error}',
    })
    this.loaderDuration = meter.createHistogram('otelkit.cache.loader.duration', {
      description: 'Duration of loader (factory) calls on a miss or a refresh.',
      unit: 's',
    })
    this.evictions = meter.createCounter('otelkit.cache.evictions', {
      description: 'Entries evicted from the in-process L1 by its entry or byte limit.',
      unit: '{entry}',
    })
    this.skipped = meter.createCounter('otelkit.cache.writes.skipped', {
      description: 'Values and responses not stored, by reason (too_large, too_many_variants).',
      unit: '{write}',
    })
    this.httpRequests = meter.createCounter('otelkit.cache.http.requests', {
      description: 'HTTP response cache decisions per route (hit, miss, stale, bypass).',
      unit: '{request}',
    })
    const size = meter.createObservableGauge('otelkit.cache.size', {
      description: 'Current L1 size, in entries and in bytes (cache.size.kind).',
    })
    const entriesAttrs = { ...this.base, 'cache.size.kind': 'entries' }
    const bytesAttrs = { ...this.base, 'cache.size.kind': 'bytes' }
    size.addCallback((result) => {
      const s = sizeOf()
      if (!s) return
      result.observe(s.entries, entriesAttrs)
      result.observe(s.bytes, bytesAttrs)
    })
    for (const result of ['hit', 'miss', 'stale']) {
      for (const tier of ['l1', 'l2']) {
        this.requestAttrs[`${result}:${tier}`] = { ...this.base, 'cache.result': result, 'cache.tier': tier }
      }
    }
    this.tracer = trace.getTracer('@otelkit/cache', VERSION)
  }

  request(result: CacheResult, tier: CacheTier): void {
    this.requests.add(
      1,
      this.requestAttrs[
        result === 'hit'
          ? tier === 'l1'
            ? 'hit:l1'
            : 'hit:l2'
          : result === 'miss'
            ? tier === 'l1'
              ? 'miss:l1'
              : 'miss:l2'
            : tier === 'l1'
              ? 'stale:l1'
              : 'stale:l2'
      ],
    )
  }

  operation(operation: string, seconds: number): void {
    if (operation === 'get') {
      this.operationDuration.record(seconds, this.getAttrs)
      return
    }
    let attrs = this.operationAttrs.get(operation)
    if (attrs === undefined) {
      attrs = { ...this.base, 'cache.operation': operation }
      this.operationAttrs.set(operation, attrs)
    }
    this.operationDuration.record(seconds, attrs)
  }

  error(type: string): void {
    let attrs = this.errorAttrs.get(type)
    if (attrs === undefined) {
      attrs = { ...this.base, 'error.type': type }
      this.errorAttrs.set(type, attrs)
    }
    this.errors.add(1, attrs)
  }

  loader(seconds: number, failed: boolean): void {
    this.loaderDuration.record(seconds, failed ? { ...this.base, 'error.type': 'loader' } : this.base)
  }

  evicted(count: number): void {
    this.evictions.add(count, this.base)
  }

  /** A value or response not stored; `route` (the `http.route` attribute) for responses over their route's bound. */
  skippedWrite(reason: 'too_large' | 'too_many_variants', route?: string): void {
    this.skipped.add(
      1,
      route === undefined ? { ...this.base, reason } : { ...this.base, reason, 'http.route': route },
    )
  }

  http(result: HttpCacheResult, route: string): void {
    const k = `${result}\u0000${route}`
    let attrs = this.httpAttrs.get(k)
    if (attrs === undefined) {
      attrs = { ...this.base, 'cache.result': result, 'http.route': route }
      if (this.httpAttrs.size < 1000) this.httpAttrs.set(k, attrs)
    }
    this.httpRequests.add(1, attrs)
  }

  /** Starts a span for `operation` only when a recording span is active; otherwise returns undefined. */
  span(operation: string): Span | undefined {
    const parent = trace.getSpan(context.active())
    if (parent === undefined || !parent.isRecording()) return undefined
    return this.tracer.startSpan(`cache ${operation}`, {
      kind: SpanKind.INTERNAL,
      attributes: { 'cache.name': this.name, 'cache.operation': operation },
    })
  }

  static end(span: Span | undefined, result?: string, error?: unknown): void {
    if (span === undefined) return
    if (result !== undefined) span.setAttribute('cache.result', result)
    if (error !== undefined) {
      span.recordException(error as Error)
      span.setStatus({ code: SpanStatusCode.ERROR })
    }
    span.end()
  }
}
