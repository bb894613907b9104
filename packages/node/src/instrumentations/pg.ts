/**
 * PostgreSQL (`pg` 8) instrumentation with a short hot path: one wrapper around
 * `Client.prototype.query` (pool queries go through it too) that starts a CLIENT span with the
 * normalised statement (no literal or parameter values), its operation and table, and ends it
 * when the query settles; connect spans and pool bookkeeping are left out. The pool's connect
 * callback runs in its caller's context (pool-context.ts). A query's callback runs in its caller's
 * context too, except pg-pool's own callback of a promise `pool.query`: it only releases the
 * client and settles the promise, whose awaiting code continues in its own context, so entering
 * the caller's (a copy of the async context frame, about 1,400 instructions) is skipped there.
 * Loaded, with the instrumentation framework it builds on, only when `pg` is present.
 */
import { createRequire } from 'node:module'
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api'
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation'
import { normalizeSql, sqlCollection, sqlOperation } from '../queries/normalize.js'
import { OwnedAttributesOptions } from '../trace/span.js'
import { OTELKIT_VERSION } from '../version.js'
import { checkoutInCallerContext, PoolQueryDispatch } from './pool-context.js'
import { exportedClass, exportedPrototype, patchMethod, unpatchMethod } from './prototype-patch.js'

const require = createRequire(import.meta.url)

interface StatementInfo {
  text: string
  operation: string | undefined
  collection: string | undefined
  name: string
}

const infoCache = new Map<string, StatementInfo>()

function statementInfo(raw: string): StatementInfo {
  let info = infoCache.get(raw)
  if (info === undefined) {
    const text = normalizeSql(raw)
    const operation = sqlOperation(text)
    const collection = sqlCollection(text)
    const name = operation ? (collection ? `${operation} ${collection}` : operation) : 'postgresql'
    info = { text, operation, collection, name }
    if (infoCache.size >= 2000) infoCache.delete(infoCache.keys().next().value as string)
    infoCache.set(raw, info)
  }
  return info
}

interface PgClientLike {
  connectionParameters?: { database?: string; host?: string; port?: number }
  database?: string
  host?: string
  port?: number
}

function startQuerySpan(tracer: Tracer, client: PgClientLike, raw: string): Span {
  const info = statementInfo(raw)
  const params = client.connectionParameters ?? client
  const attributes: Attributes = {
    'db.system.name': 'postgresql',
    'db.query.text': info.text,
    'server.address': params.host,
    'server.port': params.port,
    'db.namespace': params.database,
  }
  if (info.operation !== undefined) attributes['db.operation.name'] = info.operation
  if (info.collection !== undefined) attributes['db.collection.name'] = info.collection
  return tracer.startSpan(
    info.name,
    new OwnedAttributesOptions(SpanKind.CLIENT, attributes),
    context.active(),
  )
}

function endQuerySpan(span: Span, error: unknown): void {
  if (error) {
    const err = error as { code?: string; name?: string; message?: string }
    span.recordException(error as Error)
    span.setAttribute('error.type', err.code ?? err.name ?? 'Error')
    if (err.code) span.setAttribute('db.response.status_code', err.code)
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message })
  }
  span.end()
}

type QueryFn = (this: PgClientLike, ...args: unknown[]) => unknown
type PoolQueryFn = (this: unknown, ...args: unknown[]) => unknown

/**
 * pg-pool's `query`: a call with no callback (the promise API) arms `dispatch` while it runs, so
 * the checkout it makes marks the query it dispatches as carrying pg-pool's own callback.
 */
function wrapPoolQuery(original: PoolQueryFn, dispatch: PoolQueryDispatch): PoolQueryFn {
  return function query(this: unknown, ...args: unknown[]) {
    for (const arg of args) if (typeof arg === 'function') return original.apply(this, args)
    dispatch.armed = true
    try {
      return original.apply(this, args)
    } finally {
      dispatch.armed = false
    }
  }
}

/** pg's Query class, as far as the traced subclass uses it. */
interface PgQuery {
  _canceledDueToError?: unknown
  handleError(error: unknown, connection: unknown): unknown
  handleReadyForQuery(connection: unknown): unknown
}
type PgQueryClass = new (config: unknown, values: unknown, callback: unknown) => PgQuery

/**
 * A Query that ends its span and calls its callback (and emits its events) in the caller's context
 * when pg settles it (as it is, without a caller context: pg-pool's own callback). A per-query callback wrapper did the same, but pg then held a closure between
 * itself and the caller's callback, which made the request's objects outlive young-generation
 * collections (bench/request-cost.mjs: 470–1,180 promoted bytes per request against 20–60).
 */
function tracedQueryClass(
  Query: PgQueryClass,
): new (
  config: unknown,
  values: unknown,
  callback: unknown,
  span: Span,
  caller: Context | undefined,
) => PgQuery {
  const { handleError, handleReadyForQuery } = Query.prototype
  return class TracedQuery extends Query {
    otelkitSpan: Span | undefined
    readonly otelkitCaller: Context | undefined

    constructor(
      config: unknown,
      values: unknown,
      callback: unknown,
      span: Span,
      caller: Context | undefined,
    ) {
      super(config, values, callback)
      this.otelkitSpan = span
      this.otelkitCaller = caller
    }

    override handleError(error: unknown, connection: unknown): unknown {
      const span = this.otelkitSpan
      if (span !== undefined) {
        this.otelkitSpan = undefined
        endQuerySpan(span, error)
      }
      const caller = this.otelkitCaller
      if (caller === undefined) return handleError.call(this, error, connection)
      return context.with(caller, handleError, this, error, connection)
    }

    override handleReadyForQuery(connection: unknown): unknown {
      const span = this.otelkitSpan
      // A query cancelled by an error ends through handleError.
      if (span !== undefined && !this._canceledDueToError) {
        this.otelkitSpan = undefined
        endQuerySpan(span, undefined)
      }
      const caller = this.otelkitCaller
      if (caller === undefined) return handleReadyForQuery.call(this, connection)
      return context.with(caller, handleReadyForQuery, this, connection)
    }
  }
}

function wrapQuery(
  original: QueryFn,
  getTracer: () => Tracer,
  Query: PgQueryClass | undefined,
  dispatch: PoolQueryDispatch,
): QueryFn {
  const TracedQuery = Query === undefined ? undefined : tracedQueryClass(Query)
  return function query(this: PgClientLike, ...args: unknown[]) {
    // Set only while pg-pool's promise query dispatches: its callback is pg-pool's own.
    const poolOwnCallback = dispatch.dispatching
    dispatch.dispatching = false
    const first = args[0] as { text?: string; submit?: unknown } | string | undefined
    const raw = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : undefined
    // Submittables (cursors, streams) and unknown shapes pass through untouched.
    if (raw === undefined || (typeof first === 'object' && typeof first.submit === 'function')) {
      return original.apply(this, args)
    }
    const span = startQuerySpan(getTracer(), this, raw)
    const last = args.length - 1
    const callback = args[last]
    if (typeof callback === 'function' && last <= 2 && TracedQuery !== undefined) {
      // pg builds the same Query from (config, values, callback); given one, it submits it as is.
      const values = last === 2 ? args[1] : undefined
      const caller = poolOwnCallback ? undefined : context.active()
      original.call(this, new TracedQuery(first, values, callback, span, caller))
      return undefined
    }
    if (typeof callback === 'function') {
      // Another call shape: the callback wrapped, run in the caller's context.
      const active = context.active()
      const target = callback as (error: unknown, result: unknown) => unknown
      args[last] = (error: unknown, result: unknown) => {
        endQuerySpan(span, error)
        return context.with(active, target, undefined, error, result)
      }
      return original.apply(this, args)
    }
    let result: unknown
    try {
      result = original.apply(this, args)
    } catch (error) {
      endQuerySpan(span, error)
      throw error
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      ;(result as Promise<unknown>).then(
        () => endQuerySpan(span, undefined),
        (error: unknown) => endQuerySpan(span, error),
      )
    } else {
      endQuerySpan(span, undefined)
    }
    return result
  }
}

/** Builds the instrumentation (requires @opentelemetry/instrumentation only when called). */
export function createPgInstrumentation(): Instrumentation {
  const { InstrumentationBase, InstrumentationNodeModuleDefinition } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation')
  class PgInstrumentation extends InstrumentationBase<InstrumentationConfig> {
    constructor() {
      super('@otelkit/node/pg', OTELKIT_VERSION, {})
    }

    protected init() {
      const dispatch = new PoolQueryDispatch()
      const patch = (exports: Record<string, unknown>) => {
        patchMethod(
          exportedPrototype(exports, 'Client'),
          'query',
          (original) =>
            wrapQuery(
              original as unknown as QueryFn,
              () => this.tracer,
              exportedClass<PgQueryClass>(exports, 'Query'),
              dispatch,
            ) as never,
        )
        const pool = exportedPrototype(exports, 'Pool')
        patchMethod(
          pool,
          'connect',
          (original) => checkoutInCallerContext(original as never, dispatch) as never,
        )
        patchMethod(pool, 'query', (original) => wrapPoolQuery(original as never, dispatch) as never)
        return exports
      }
      const unpatch = (exports: Record<string, unknown>) => {
        unpatchMethod(exportedPrototype(exports, 'Client'), 'query')
        unpatchMethod(exportedPrototype(exports, 'Pool'), 'connect')
        unpatchMethod(exportedPrototype(exports, 'Pool'), 'query')
      }
      return [new InstrumentationNodeModuleDefinition('pg', ['>=8 <9'], patch, unpatch)]
    }
  }
  return new PgInstrumentation() as unknown as Instrumentation
}
