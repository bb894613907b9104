/**
 * PostgreSQL (`pg` 8) instrumentation with a short hot path: one wrapper around
 * `Client.prototype.query` (pool queries go through it too) that starts a CLIENT span with the
 * normalised statement (no literal or parameter values), its operation and table, and ends it
 * when the query settles; connect spans and pool bookkeeping are left out. The pool's connect
 * callback runs in its caller's context (pool-context.ts). Loaded, with the instrumentation
 * framework it builds on, only when `pg` is present.
 */
import { createRequire } from 'node:module'
import {
  type Attributes,
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
import { checkoutInCallerContext, exportedPrototype, patchMethod, unpatchMethod } from './pool-context.js'

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

function wrapQuery(original: QueryFn, getTracer: () => Tracer): QueryFn {
  return function query(this: PgClientLike, ...args: unknown[]) {
    const first = args[0] as { text?: string; submit?: unknown } | string | undefined
    const raw = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : undefined
    // Submittables (cursors, streams) and unknown shapes pass through untouched.
    if (raw === undefined || (typeof first === 'object' && typeof first.submit === 'function')) {
      return original.apply(this, args)
    }
    const span = startQuerySpan(getTracer(), this, raw)
    const last = args.length - 1
    const callback = args[last]
    if (typeof callback === 'function') {
      // The callback runs in the caller's context (pg calls it from the connection's socket).
      // One closure, not the context manager's bind (a wrapper function per call whose
      // `length` is redefined, which gives every wrapper its own hidden class).
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
      const patch = (exports: Record<string, unknown>) => {
        patchMethod(
          exportedPrototype(exports, 'Client'),
          'query',
          (original) => wrapQuery(original as unknown as QueryFn, () => this.tracer) as never,
        )
        patchMethod(
          exportedPrototype(exports, 'Pool'),
          'connect',
          (original) => checkoutInCallerContext(original as never) as never,
        )
        return exports
      }
      const unpatch = (exports: Record<string, unknown>) => {
        unpatchMethod(exportedPrototype(exports, 'Client'), 'query')
        unpatchMethod(exportedPrototype(exports, 'Pool'), 'connect')
      }
      return [new InstrumentationNodeModuleDefinition('pg', ['>=8 <9'], patch, unpatch)]
    }
  }
  return new PgInstrumentation() as unknown as Instrumentation
}
