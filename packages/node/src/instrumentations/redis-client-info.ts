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

function isRedis(attributes: Attributes): boolean {
  return (attributes['db.system.name'] ?? attributes['db.system']) === 'redis'
}

/** Whether a call's statement is `CLIENT SETINFO`. */
function namesClientInfo(attributes: Attributes): boolean {
  const statement = attributes['db.query.text'] ?? attributes['db.statement']
  return typeof statement === 'string' && CLIENT_SETINFO.test(statement)
}

/**
 * Whether a Redis call's failure `message` is a server's rejection of `CLIENT SETINFO` (error
 * tracking's test, which also reads spans no client span processor cleared): an unknown
 * subcommand, named in the message, or, when the message is already scrubbed
 * (`unknown subcommand '?'`), in the statement.
 */
export function isRejectedClientInfo(attributes: Attributes, message: string): boolean {
  if (!isRedis(attributes) || !/unknown subcommand/i.test(message)) return false
  return /unknown subcommand '?setinfo'?/i.test(message) || namesClientInfo(attributes)
}

/**
 * Clears the failure of an ending Redis `CLIENT SETINFO` span (any client's instrumentation): its
 * status, `error.type` and exception events. Any other span is left as it is.
 */
export function clearClientInfoFailure(span: Span): void {
  const attributes = span.attributes
  if (span.status.code !== SpanStatusCode.ERROR || !isRedis(attributes) || !namesClientInfo(attributes))
    return
  const ending = span as unknown as { status: unknown; events: Span['events']; attributes: Attributes }
  ending.status = UNSET
  delete ending.attributes['error.type']
  ending.events = span.events.filter((event) => event.name !== 'exception')
}
