/**
 * Derives db.client.operation.duration from database client spans, in-process, for pg, mysql2,
 * ioredis and node-redis (upstream emits it for pg only). It sees every span, sampled or not, so
 * metrics stay complete when traces are sampled down. Before a span is exported it also replaces the statement with its normalised
 * form, so no SQL literal or parameter value leaves the process.
 */
import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace'
import { normalizeSql, sqlCollection, sqlOperation } from '../queries/normalize.js'
import type { QueryTracker } from '../queries/tracker.js'
import type { SdkInstruments } from './instruments.js'

const STATEMENT_KEYS = ['db.query.text', 'db.statement'] as const
const SQL_SYSTEMS = new Set(['postgresql', 'mysql', 'mariadb'])

function dbSystem(attributes: Attributes): string | undefined {
  const v = attributes['db.system.name'] ?? attributes['db.system']
  return typeof v === 'string' ? v : undefined
}

function statementOf(attributes: Attributes): string | undefined {
  const v = attributes['db.query.text'] ?? attributes['db.statement']
  return typeof v === 'string' ? v : undefined
}

function hrToSeconds(hr: readonly [number, number]): number {
  return hr[0] + hr[1] / 1e9
}

export class ClientSpanProcessor implements SpanProcessor {
  private readonly instruments: SdkInstruments
  private readonly queries: QueryTracker

  constructor(instruments: SdkInstruments, queries: QueryTracker) {
    this.instruments = instruments
    this.queries = queries
  }

  onStart(): void {}

  onEnding(span: Span): void {
    if (span.kind !== SpanKind.CLIENT) return
    const attributes = span.attributes
    const system = dbSystem(attributes)
    if (system === undefined || !SQL_SYSTEMS.has(system)) return
    for (const key of STATEMENT_KEYS) {
      const value = attributes[key]
      if (typeof value === 'string') span.setAttribute(key, normalizeSql(value, system !== 'postgresql'))
    }
  }

  onEnd(span: ReadableSpan): void {
    if (span.kind !== SpanKind.CLIENT) return
    const attributes = span.attributes
    const system = dbSystem(attributes)
    if (system !== undefined) this.recordDb(span, system, attributes)
  }

  private recordDb(span: ReadableSpan, system: string, attributes: Attributes): void {
    const durationS = hrToSeconds(span.duration)
    const statement = statementOf(attributes)
    let operation = attributes['db.operation.name'] ?? attributes['db.operation']
    let collection = attributes['db.collection.name'] ?? attributes['db.sql.table']
    const isSql = SQL_SYSTEMS.has(system)
    if (isSql && statement !== undefined) {
      if (operation === undefined) operation = sqlOperation(statement)
      if (collection === undefined) collection = sqlCollection(statement)
    } else if (operation === undefined && !isSql) {
      // ioredis and node-redis name the span after the command
      operation = span.name.split(' ', 1)[0]
    }
    const failed = span.status.code === SpanStatusCode.ERROR
    let errorType = attributes['error.type']
    if (failed && errorType === undefined) errorType = failureType(span)
    const op = typeof operation === 'string' ? operation.toUpperCase() : undefined
    const coll = typeof collection === 'string' ? collection : undefined
    const err = typeof errorType === 'string' ? errorType : undefined
    const key = `${system}|${op ?? ''}|${coll ?? ''}|${err ?? ''}`
    this.instruments.dbClientDuration.record(key, durationS, () => {
      const out: Attributes = { 'db.system.name': system }
      if (op !== undefined) out['db.operation.name'] = op
      if (coll !== undefined) out['db.collection.name'] = coll
      if (err !== undefined) out['error.type'] = err
      return out
    })
    if (isSql && statement !== undefined) {
      const ctx = span.spanContext()
      this.queries.record(system, statement, durationS * 1000, failed, ctx.traceId, ctx.spanId)
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

function failureType(span: ReadableSpan): string {
  for (const event of span.events) {
    if (event.name === 'exception') {
      const t = event.attributes?.['exception.type']
      if (typeof t === 'string' && t.length > 0) return t
    }
  }
  return '_OTHER'
}
