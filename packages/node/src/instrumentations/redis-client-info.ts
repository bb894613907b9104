/**
 * `CLIENT SETINFO`, which Redis clients (ioredis, node-redis, redis-py) send on every connection
 * and whose failure they ignore by design: Redis added it in 7.2, and the protocol asks clients to
 * pipeline it after authentication and to ignore an error from an older server. Its rejection is
 * no failure of the service, so otelkit records the command without an error: no error status,
 * no `error.type` label on `db.client.operation.duration`, nothing in error tracking. The span of
 * any Redis client's instrumentation (otelkit's for ioredis 6, upstream's for ioredis 5 and
 * node-redis; an unsampled ioredis 6 command that failed makes its span too) has its failure
 * cleared when it ends, before metrics, error tracking and export read it. Every other failed
 * command, a failed AUTH or HELLO of the same handshake too, stays an error.
 */
import { type Attributes, SpanStatusCode } from '@opentelemetry/api'
import type { Span } from '@opentelemetry/sdk-trace'

const UNSET = Object.freeze({ code: SpanStatusCode.UNSET })
/** `db.query.text` of CLIENT SETINFO by otelkit's Redis policy (privacy/redis.ts): `CLIENT SETINFO ? ?`. */
const CLIENT_SETINFO = /^client setinfo\b/i

/** Whether an ending span is a failed Redis `CLIENT SETINFO` (by its system and statement). */
function isFailedClientInfoSpan(span: Span, attributes: Attributes): boolean {
  if (span.status.code !== SpanStatusCode.ERROR) return false
  if ((attributes['db.system.name'] ?? attributes['db.system']) !== 'redis') return false
  const statement = attributes['db.query.text'] ?? attributes['db.statement']
  return typeof statement === 'string' && CLIENT_SETINFO.test(statement)
}

/**
 * Clears the failure of an ending Redis `CLIENT SETINFO` span (any client's instrumentation): its
 * status, `error.type` and exception events. Any other span is left as it is.
 */
export function clearClientInfoFailure(span: Span): void {
  const attributes = span.attributes
  if (!isFailedClientInfoSpan(span, attributes)) return
  const ending = span as unknown as { status: unknown; events: Span['events']; attributes: Attributes }
  ending.status = UNSET
  delete ending.attributes['error.type']
  ending.events = span.events.filter((event) => event.name !== 'exception')
}
