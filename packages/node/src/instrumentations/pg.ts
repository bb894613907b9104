/**
 * PostgreSQL (`pg` 8) instrumentation with a short hot path: one wrapper around
 * `Client.prototype.query` (pool queries go through it too) that starts a CLIENT span with the
 * normalised statement (no literal or parameter values), its operation and table, and ends it
 * when the query settles; connect spans and pool bookkeeping are left out. The pool's connect
 * callback runs in its caller's context (pool-context.ts). A query's callback runs in its caller's
 * context too, except pg-pool's own callback of a promise `pool.query`: it only releases the
 * client and settles the promise, whose awaiting code continues in its own context, so entering
 * the caller's (a copy of the async context frame, about 1,400 instructions) is skipped there.
 * Installed from otelkit's own module hook when `pg` first loads, without the instrumentation
 * framework.
 */
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api'
import { log } from '../logger.js'
import { normalizeSql, sqlCollection, sqlOperation } from '../queries/normalize.js'
import { QuietCall, type QuietDbCalls } from '../trace/quiet-calls.js'
import { OwnedAttributesOptions } from '../trace/span.js'
import { OtelkitTracer } from '../trace/tracer.js'
import { OTELKIT_VERSION } from '../version.js'
import type { Installed, LoadContext } from './entry.js'
import { checkoutInCallerContext, PoolQueryDispatch } from './pool-context.js'
import { exportedClass, exportedPrototype, patchMethod, unpatchMethod } from './prototype-patch.js'
import { filePath } from './versions.js'

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

/**
 * The span of a query, under `parent`; `startTime` (performance.now() milliseconds) when it is made
 * after the query began (a quiet call that failed or was slow).
 */
function startQuerySpan(
  tracer: Tracer,
  client: PgClientLike,
  info: StatementInfo,
  parent: Context,
  startTime?: number,
): Span {
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
    new OwnedAttributesOptions(SpanKind.CLIENT, attributes, startTime),
    parent,
  )
}

/** Ends a query's span, with its error; `endTime` (performance.now() milliseconds) when given. */
function endQuerySpan(span: Span, error: unknown, endTime?: number): void {
  if (error) {
    const err = error as { code?: string; name?: string; message?: string }
    span.recordException(error as Error, endTime)
    span.setAttribute('error.type', err.code ?? err.name ?? 'Error')
    if (err.code) span.setAttribute('db.response.status_code', err.code)
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message })
  }
  span.end(endTime)
}

/** A query that made no span (trace/quiet-calls.ts), with what it needs to make its span late. */
class QuietQuery extends QuietCall {
  readonly tracer: Tracer
  readonly client: PgClientLike
  readonly info: StatementInfo

  constructor(
    calls: QuietDbCalls,
    parent: Context,
    tracer: Tracer,
    client: PgClientLike,
    info: StatementInfo,
  ) {
    super(calls, parent)
    this.tracer = tracer
    this.client = client
    this.info = info
  }

  /** Counts the query, or, when it failed or was slow, makes and ends its span with its own times. */
  settle(error: unknown): void {
    const endedAt = performance.now()
    const info = this.info
    if (
      !error &&
      this.calls.recordSucceeded(
        'postgresql',
        info.operation,
        info.collection,
        info.text,
        endedAt - this.startedAt,
      )
    ) {
      return
    }
    const span = startQuerySpan(this.tracer, this.client, info, this.parent, this.startedAt)
    endQuerySpan(span, error, endedAt)
  }
}

/** What a query is traced with: its span, or, for a quiet call, what counts it. */
type QueryTrace = Span | QuietQuery

/** Starts tracing a query called now under `parent`. */
function startQuery(tracer: Tracer, client: PgClientLike, raw: string, parent: Context): QueryTrace {
  const info = statementInfo(raw)
  const quiet = tracer instanceof OtelkitTracer ? tracer.quietDbCalls(parent) : undefined
  if (quiet !== undefined) return new QuietQuery(quiet, parent, tracer, client, info)
  return startQuerySpan(tracer, client, info, parent)
}

/** Ends tracing a query: its span ends, or its quiet call is counted. */
function endQuery(trace: QueryTrace, error: unknown): void {
  if (trace instanceof QuietQuery) trace.settle(error)
  else endQuerySpan(trace, error)
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
 * when pg settles it (as pg calls it, without a caller context: pg-pool's own callback). A
 * per-query callback wrapper did the same, but pg then held a closure between itself and the
 * caller's callback, which made the request's objects outlive young-generation collections
 * (bench/request-cost.mjs: 470–1,180 promoted bytes per request against 20–60).
 */
function tracedQueryClass(
  Query: PgQueryClass,
): new (
  config: unknown,
  values: unknown,
  callback: unknown,
  trace: QueryTrace,
  caller: Context | undefined,
) => PgQuery {
  const { handleError, handleReadyForQuery } = Query.prototype
  return class TracedQuery extends Query {
    otelkitTrace: QueryTrace | undefined
    readonly otelkitCaller: Context | undefined

    constructor(
      config: unknown,
      values: unknown,
      callback: unknown,
      trace: QueryTrace,
      caller: Context | undefined,
    ) {
      super(config, values, callback)
      this.otelkitTrace = trace
      this.otelkitCaller = caller
    }

    override handleError(error: unknown, connection: unknown): unknown {
      const trace = this.otelkitTrace
      if (trace !== undefined) {
        this.otelkitTrace = undefined
        endQuery(trace, error)
      }
      const caller = this.otelkitCaller
      if (caller === undefined) return handleError.call(this, error, connection)
      return context.with(caller, handleError, this, error, connection)
    }

    override handleReadyForQuery(connection: unknown): unknown {
      const trace = this.otelkitTrace
      // A query cancelled by an error ends through handleError.
      if (trace !== undefined && !this._canceledDueToError) {
        this.otelkitTrace = undefined
        endQuery(trace, undefined)
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
    const parent = context.active()
    const trace = startQuery(getTracer(), this, raw, parent)
    // The callback as pg reads it: the third argument when given, else a function second one.
    const at = args[2] ? 2 : 1
    const callback = args[at]
    if (typeof callback === 'function' && TracedQuery !== undefined) {
      // pg builds the same Query from (config, values, callback); given one, it submits it as is.
      const values = at === 2 ? args[1] : undefined
      original.call(
        this,
        new TracedQuery(first, values, callback, trace, poolOwnCallback ? undefined : parent),
      )
      return undefined
    }
    if (typeof callback === 'function') {
      // Another call shape: the callback wrapped, run in the caller's context.
      const target = callback as (error: unknown, result: unknown) => unknown
      args[at] = (error: unknown, result: unknown) => {
        endQuery(trace, error)
        return context.with(parent, target, undefined, error, result)
      }
      return original.apply(this, args)
    }
    let result: unknown
    try {
      result = original.apply(this, args)
    } catch (error) {
      endQuery(trace, error)
      throw error
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      ;(result as Promise<unknown>).then(
        () => endQuery(trace, undefined),
        (error: unknown) => endQuery(trace, error),
      )
    } else {
      endQuery(trace, undefined)
    }
    return result
  }
}

/** The instrumentation scope of pg's spans. */
const SCOPE = '@otelkit/node/pg'

/**
 * pg's CommonJS exports, as the package whose main (or ES module entry) is `file` resolves itself:
 * loaded now if it was not (its ES module entry re-exports these, so an import gets the same
 * classes), or undefined when it cannot be loaded (the application's own load reports why).
 */
function pgExportsOf(file: string | undefined): Record<string, unknown> | undefined {
  const path = filePath(file)
  if (path === undefined) return undefined
  try {
    const exports: unknown = createRequire(path)('pg')
    return typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Traces pg 8's queries (the catalog's entry for pg): `Client.prototype.query` wrapped, the
 * pool's `connect` and `query` too, with prototype-patch.ts (each wrapper keeps the function it
 * wraps). Patched from otelkit's own module hook when pg first loads, and each other copy of pg
 * (a dependency's own folder) when it loads, without the instrumentation framework (its require
 * and import hooks cost 40–60 ms at start and stay on every later load).
 */
export function installPgQueries(ctx: LoadContext): Installed | undefined {
  const first = pgExportsOf(ctx.module?.file)
  if (first === undefined) {
    log.info(
      `pg ${ctx.module?.version ?? ''}: it could not be loaded from ${ctx.module?.file ?? 'its folder'}; its queries are not traced`,
    )
    return undefined
  }
  const tracer = ctx.tracerProvider.getTracer(SCOPE, OTELKIT_VERSION)
  const dispatch = new PoolQueryDispatch()
  const patched: Array<Record<string, unknown>> = []
  const patch = (exports: Record<string, unknown>): void => {
    patchMethod(
      exportedPrototype(exports, 'Client'),
      'query',
      (original) =>
        wrapQuery(
          original as unknown as QueryFn,
          () => tracer,
          exportedClass<PgQueryClass>(exports, 'Query'),
          dispatch,
        ) as never,
    )
    const pool = exportedPrototype(exports, 'Pool')
    patchMethod(pool, 'connect', (original) => checkoutInCallerContext(original as never, dispatch) as never)
    patchMethod(pool, 'query', (original) => wrapPoolQuery(original as never, dispatch) as never)
    patched.push(exports)
  }
  patch(first)
  return {
    // A dependency's own copy of pg (another folder), when it loads.
    onAnotherCopy(file) {
      const exports = pgExportsOf(file)
      if (exports === undefined) throw new Error('it could not be loaded')
      patch(exports)
    },
    uninstall() {
      for (const exports of patched.splice(0)) {
        unpatchMethod(exportedPrototype(exports, 'Client'), 'query')
        unpatchMethod(exportedPrototype(exports, 'Pool'), 'connect')
        unpatchMethod(exportedPrototype(exports, 'Pool'), 'query')
      }
    },
  }
}
