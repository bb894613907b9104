/**
 * Derives db.client.operation.duration from every database client span (pg, mysql2, Redis,
 * MongoDB, Mongoose, memcached, knex, ...), the messaging durations from producer and consumer
 * spans (amqplib, kafkajs) and rpc.server.duration / rpc.client.duration from gRPC spans,
 * in-process, with one set of buckets and labels for every client. It sees every span, sampled
 * or not, so metrics stay complete when traces are sampled down; and it counts the database calls
 * of otelkit's own pg and ioredis instrumentations that made no span (trace/quiet-calls.ts) with
 * the labels their spans would have had. A database span inside another (the driver's under
 * knex) is counted once, as the outer operation; the query log takes the innermost statement.
 * Mongoose's spans run beside the MongoDB driver's, not around them: the driver's commands are
 * what is counted. Before a span is exported it also replaces SQL
 * statements with their normalised form, so no literal leaves the process, and clears the failure
 * of a Redis CLIENT SETINFO that clients ignore (redis-client-info.ts).
 */
import { type Attributes, type Context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace'
import { clearClientInfoFailure } from '../instrumentations/redis-client-info.js'
import { normalizeMongo, normalizeSql, sqlCollection, sqlOperation } from '../queries/normalize.js'
import type { QueryTracker } from '../queries/tracker.js'
import type { QuietDbCalls } from '../trace/quiet-calls.js'
import { OtelkitSpan } from '../trace/span.js'
import type { SdkInstruments } from './instruments.js'

const STATEMENT_KEYS = ['db.query.text', 'db.statement'] as const

/**
 * Systems whose statements are SQL (or CQL): normalised before export, operation and table read
 * from the statement. Old and new semantic-convention names of SQL Server and Oracle both count.
 * A switch, not a Set: a span's system is mostly a string literal of its instrumentation, which
 * compares by identity, where a Set hashes it (this is asked up to three times per database span).
 */
function isSqlSystem(system: string): boolean {
  switch (system) {
    case 'postgresql':
    case 'mysql':
    case 'mariadb':
    case 'microsoft.sql_server':
    case 'mssql':
    case 'oracle.db':
    case 'oracle':
    case 'cassandra':
      return true
    default:
      return false
  }
}

/** Dialects where "..." is a string literal, not an identifier. */
function doubleQuotesStrings(system: string): boolean {
  return system === 'mysql' || system === 'mariadb'
}

function dbSystem(attributes: Attributes): string | undefined {
  const v = attributes['db.system.name'] ?? attributes['db.system']
  return typeof v === 'string' ? v : undefined
}

function statementOf(attributes: Attributes): string | undefined {
  const v = attributes['db.query.text'] ?? attributes['db.statement']
  return typeof v === 'string' ? v : undefined
}

/** Epoch milliseconds of a span's HrTime (the exemplar's timestamp: when the span ended). */
function hrToMs(hr: readonly [number, number]): number {
  return hr[0] * 1000 + hr[1] / 1e6
}

function hrToSeconds(hr: readonly [number, number]): number {
  return hr[0] + hr[1] / 1e9
}

/**
 * A span's duration in seconds; otelkit's span answers from its milliseconds while it has made no
 * HrTime (one given or read), without making one.
 */
function durationSeconds(span: ReadableSpan): number {
  if (span instanceof OtelkitSpan && span.startHr === undefined && span.endHr === undefined) {
    return (span.endMs - span.startMs) / 1000
  }
  return hrToSeconds(span.duration)
}

/** Epoch milliseconds of a span's end (see durationSeconds). */
function endMs(span: ReadableSpan): number {
  return span instanceof OtelkitSpan ? span.endMs : hrToMs(span.endTime)
}

/** Whether spans of this scope repeat operations their driver's spans count already. */
function uncountedScope(name: string): boolean {
  return name === '@opentelemetry/instrumentation-mongoose'
}

/** Database client spans started inside another one, by their parent's span id. */
const NESTED = new WeakMap<object, string>()

function isDbClient(span: unknown): boolean {
  const s = span as Partial<ReadableSpan> | undefined
  return s?.kind === SpanKind.CLIENT && s.attributes !== undefined && dbSystem(s.attributes) !== undefined
}

/** A database duration series: its labels, key and attributes builder. */
interface DbSeries {
  /** The operation as the span or call gave it; `db.operation.name` is it upper-cased. */
  rawOp: string | undefined
  coll: string | undefined
  err: string | undefined
  key: string
  attributes: () => Attributes
}

/** Systems whose last series is remembered (systems come from span data: bounded). */
const MAX_REMEMBERED_SYSTEMS = 64

export class ClientSpanProcessor implements SpanProcessor, QuietDbCalls {
  private readonly instruments: SdkInstruments
  private readonly queries: QueryTracker
  /** Outer database spans whose statement a nested span has already logged. */
  private readonly statementLogged = new Set<string>()
  /** The last db.client.operation.duration series of each system. */
  private readonly lastDbSeries = new Map<string, DbSeries>()

  constructor(instruments: SdkInstruments, queries: QueryTracker) {
    this.instruments = instruments
    this.queries = queries
  }

  acceptsParent(parent: Span): boolean {
    return !isDbClient(parent)
  }

  recordSucceeded(
    system: string,
    operation: string | undefined,
    collection: string | undefined,
    sqlStatement: string | undefined,
    durationMs: number,
  ): boolean {
    const isSql = isSqlSystem(system)
    if (isSql && sqlStatement !== undefined && this.queries.isSlow(durationMs)) return false
    const series = this.dbSeries(system, operation, collection, undefined)
    // No exemplar: an unsampled call has no trace to point to.
    this.instruments.dbClientDuration.record(series.key, durationMs / 1000, series.attributes)
    if (isSql && sqlStatement !== undefined)
      this.queries.record(system, sqlStatement, durationMs, false, '', '')
    return true
  }

  onStart(span: Span, parentContext: Context): void {
    if (span.kind !== SpanKind.CLIENT) return
    const parent = trace.getSpan(parentContext)
    if (parent !== undefined && isDbClient(parent)) NESTED.set(span, parent.spanContext().spanId)
  }

  onEnding(span: Span): void {
    if (span.kind !== SpanKind.CLIENT) return
    const attributes = span.attributes
    const system = dbSystem(attributes)
    if (system === 'redis') clearClientInfoFailure(span)
    if (system === undefined || !isSqlSystem(system)) return
    for (const key of STATEMENT_KEYS) {
      const value = attributes[key]
      if (typeof value !== 'string') continue
      // Statements otelkit's own instrumentations recorded are normalised already.
      const normalized = normalizeSql(value, doubleQuotesStrings(system))
      if (normalized !== value) span.setAttribute(key, normalized)
    }
  }

  onEnd(span: ReadableSpan): void {
    const kind = span.kind
    if (kind === SpanKind.PRODUCER || kind === SpanKind.CONSUMER) {
      this.recordMessaging(span)
      return
    }
    const attributes = span.attributes
    if (attributes['rpc.system'] !== undefined && (kind === SpanKind.SERVER || kind === SpanKind.CLIENT)) {
      this.recordRpc(span, kind === SpanKind.SERVER)
      return
    }
    if (kind !== SpanKind.CLIENT) return
    const system = dbSystem(attributes)
    if (system === undefined) return
    const parentId = NESTED.get(span)
    if (parentId === undefined && !uncountedScope(span.instrumentationScope.name)) {
      this.recordDb(span, system, attributes)
    }
    const statement = statementOf(attributes)
    // Only a nested span's parent is in the set: no hashing of every span's fresh id when empty.
    const logged = this.statementLogged.size > 0 && this.statementLogged.delete(span.spanContext().spanId)
    if (statement !== undefined && !logged) {
      this.logStatement(span, system, statement, attributes)
      if (parentId !== undefined) this.statementLogged.add(parentId)
    }
  }

  private logStatement(span: ReadableSpan, system: string, statement: string, attributes: Attributes): void {
    let text: string | undefined
    if (isSqlSystem(system)) text = statement
    else if (system === 'mongodb') {
      const op = attributes['db.operation.name'] ?? attributes['db.operation']
      const coll = attributes['db.collection.name'] ?? attributes['db.mongodb.collection']
      text = `${String(op ?? '')} ${String(coll ?? '')} ${normalizeMongo(statement)}`.trim()
    }
    if (text === undefined) return
    const ctx = span.spanContext()
    const failed = span.status.code === SpanStatusCode.ERROR
    this.queries.record(system, text, durationSeconds(span) * 1000, failed, ctx.traceId, ctx.spanId)
  }

  private recordMessaging(span: ReadableSpan): void {
    const attributes = span.attributes
    const system = attributes['messaging.system']
    if (typeof system !== 'string') return
    const named = attributes['messaging.operation.name'] ?? attributes['messaging.operation']
    const operation =
      typeof named === 'string' ? named : span.kind === SpanKind.PRODUCER ? 'publish' : 'process'
    const process = span.kind === SpanKind.CONSUMER && operation === 'process'
    const destination = messagingDestination(attributes)
    const errorType =
      span.status.code === SpanStatusCode.ERROR
        ? String(attributes['error.type'] ?? failureType(span))
        : undefined
    const key = `${system}|${operation}|${destination ?? ''}|${errorType ?? ''}`
    const histogram = process
      ? this.instruments.messagingProcessDuration
      : this.instruments.messagingClientDuration
    histogram.record(
      key,
      durationSeconds(span),
      () => {
        const out: Attributes = { 'messaging.system': system, 'messaging.operation.name': operation }
        if (destination !== undefined) out['messaging.destination.name'] = destination
        if (errorType !== undefined) out['error.type'] = errorType
        return out
      },
      span,
      endMs(span),
    )
  }

  /** rpc.server.duration / rpc.client.duration from a gRPC span, by service, method and status code. */
  private recordRpc(span: ReadableSpan, server: boolean): void {
    const attributes = span.attributes
    const system = String(attributes['rpc.system'])
    const service = attributes['rpc.service']
    const method = attributes['rpc.method']
    const status = attributes['rpc.grpc.status_code']
    const svc = typeof service === 'string' ? service : undefined
    const mth = typeof method === 'string' ? method : undefined
    const code = typeof status === 'number' || typeof status === 'string' ? String(status) : undefined
    const key = `${system}|${svc ?? ''}|${mth ?? ''}|${code ?? ''}`
    const histogram = server ? this.instruments.rpcServerDuration : this.instruments.rpcClientDuration
    histogram.record(
      key,
      durationSeconds(span),
      () => {
        const out: Attributes = { 'rpc.system': system }
        if (svc !== undefined) out['rpc.service'] = svc
        if (mth !== undefined) out['rpc.method'] = mth
        if (code !== undefined) out['rpc.grpc.status_code'] = code
        return out
      },
      span,
      endMs(span),
    )
  }

  private recordDb(span: ReadableSpan, system: string, attributes: Attributes): void {
    const durationS = durationSeconds(span)
    const statement = statementOf(attributes)
    let operation = attributes['db.operation.name'] ?? attributes['db.operation']
    let collection = attributes['db.collection.name'] ?? attributes['db.sql.table']
    const isSql = isSqlSystem(system)
    if (isSql && statement !== undefined) {
      // The statement's keyword, not a driver's method name (tedious: `execSql`).
      operation = sqlOperation(statement) ?? operation
      if (collection === undefined) collection = sqlCollection(statement)
    } else if (operation === undefined && !isSql) {
      // ioredis and node-redis name the span after the command
      operation = span.name.split(' ', 1)[0]
    }
    const failed = span.status.code === SpanStatusCode.ERROR
    let errorType = attributes['error.type']
    if (failed && errorType === undefined) errorType = failureType(span)
    const op = typeof operation === 'string' ? operation : undefined
    const coll = typeof collection === 'string' ? collection : undefined
    const err = typeof errorType === 'string' ? errorType : undefined
    const series = this.dbSeries(system, op, coll, err)
    this.instruments.dbClientDuration.record(series.key, durationS, series.attributes, span, endMs(span))
  }

  /**
   * The db.client.operation.duration series of these labels, `rawOp` upper-cased in its label:
   * the last one of the system, reused while the labels repeat (the same key string, no new
   * attributes builder per span). The hot path compares the operation as given and upper-cases it
   * only for a new series (V8's toUpperCase goes to its runtime every time).
   */
  private dbSeries(
    system: string,
    rawOp: string | undefined,
    coll: string | undefined,
    err: string | undefined,
  ): DbSeries {
    const last = this.lastDbSeries.get(system)
    if (last !== undefined && last.rawOp === rawOp && last.coll === coll && last.err === err) return last
    const op = rawOp?.toUpperCase()
    const series: DbSeries = {
      rawOp,
      coll,
      err,
      key: `${system}|${op ?? ''}|${coll ?? ''}|${err ?? ''}`,
      attributes: () => {
        const out: Attributes = { 'db.system.name': system }
        if (op !== undefined) out['db.operation.name'] = op
        if (coll !== undefined) out['db.collection.name'] = coll
        if (err !== undefined) out['error.type'] = err
        return out
      },
    }
    if (last === undefined && this.lastDbSeries.size >= MAX_REMEMBERED_SYSTEMS) this.lastDbSeries.clear()
    this.lastDbSeries.set(system, series)
    return series
  }

  forceFlush(): Promise<void> {
    return Promise.resolve()
  }

  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** Queue, topic or exchange: the semantic-convention name, else the older attributes. */
function messagingDestination(attributes: Attributes): string | undefined {
  for (const key of [
    'messaging.destination.name',
    'messaging.destination',
    'messaging.rabbitmq.routing_key',
  ]) {
    const value = attributes[key]
    if (typeof value === 'string' && value !== '') return value
  }
  return undefined
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
