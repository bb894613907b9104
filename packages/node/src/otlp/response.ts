/**
 * What an OTLP/HTTP response means for the data that was sent, per the OTLP specification:
 * success (possibly partial: `partial_success` in the body counts rejected items), a refusal to
 * retry (429, 502, 503, 504, with an optional `Retry-After` in seconds or as an HTTP date), or
 * a refusal not to retry (any other status: the data is dropped at once).
 */

/** Statuses the specification marks retryable. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504])

/** Longest response body read (a partial-success message is short; an error page may not be). */
export const MAX_RESPONSE_BYTES = 64 * 1024

/** The server accepted the request but refused some of its items. */
export interface PartialSuccess {
  /** Items (spans, data points, log records) the server refused. */
  rejected: number
  /** The server's explanation, possibly empty. */
  message: string
}

export type OtlpResponse =
  | { ok: true; partial?: PartialSuccess }
  | { ok: false; error: string; retryable: boolean; retryAfterMs?: number }

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status)
}

/** `Retry-After` as milliseconds from `now`: delta seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Reads a protobuf varint at `offset`; returns [value, next offset] or undefined when truncated. */
function varint(buf: Uint8Array, offset: number): [number, number] | undefined {
  let value = 0
  let scale = 1
  for (let i = offset; i < buf.length && i < offset + 10; i++) {
    const byte = buf[i]!
    value += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) return [value, i + 1]
    scale *= 128
  }
  return undefined
}

/** Skips one field of wire type `wire` at `offset`; returns the next offset or undefined. */
function skip(buf: Uint8Array, wire: number, offset: number): number | undefined {
  if (wire === 0) return varint(buf, offset)?.[1]
  if (wire === 1) return offset + 8
  if (wire === 5) return offset + 4
  if (wire === 2) {
    const len = varint(buf, offset)
    return len === undefined ? undefined : len[1] + len[0]
  }
  return undefined
}

/**
 * `partial_success` of an Export{Trace,Metrics,Logs}ServiceResponse in protobuf: field 1, a
 * message whose field 1 is the rejected count and field 2 the error message. Absent or empty
 * (rejected 0, no message) means full success.
 */
export function partialSuccessFromProtobuf(body: Uint8Array): PartialSuccess | undefined {
  let offset = 0
  while (offset < body.length) {
    const tag = varint(body, offset)
    if (tag === undefined) return undefined
    const [key, afterTag] = tag
    const field = Math.floor(key / 8)
    const wire = key & 7
    if (field === 1 && wire === 2) {
      const len = varint(body, afterTag)
      if (len === undefined) return undefined
      const inner = body.subarray(len[1], len[1] + len[0])
      let rejected = 0
      let message = ''
      let at = 0
      while (at < inner.length) {
        const innerTag = varint(inner, at)
        if (innerTag === undefined) break
        const [innerKey, next] = innerTag
        if (innerKey === 8) {
          const v = varint(inner, next)
          if (v === undefined) break
          rejected = v[0]
          at = v[1]
        } else if (innerKey === 18) {
          const l = varint(inner, next)
          if (l === undefined) break
          message = Buffer.from(inner.subarray(l[1], l[1] + l[0])).toString('utf8')
          at = l[1] + l[0]
        } else {
          const n = skip(inner, innerKey & 7, next)
          if (n === undefined) break
          at = n
        }
      }
      return rejected > 0 || message !== '' ? { rejected, message } : undefined
    }
    const next = skip(body, wire, afterTag)
    if (next === undefined) return undefined
    offset = next
  }
  return undefined
}

/** `partialSuccess` of a JSON response (`rejectedSpans`, `rejectedDataPoints` or `rejectedLogRecords`). */
export function partialSuccessFromJson(text: string): PartialSuccess | undefined {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return undefined
  }
  const partial = (doc as { partialSuccess?: Record<string, unknown> } | null)?.partialSuccess
  if (partial === undefined || partial === null || typeof partial !== 'object') return undefined
  const count = partial.rejectedSpans ?? partial.rejectedDataPoints ?? partial.rejectedLogRecords ?? 0
  const rejected = Number(count)
  const message = typeof partial.errorMessage === 'string' ? partial.errorMessage : ''
  return (Number.isFinite(rejected) && rejected > 0) || message !== ''
    ? { rejected: Number.isFinite(rejected) ? rejected : 0, message }
    : undefined
}

/** Classifies a finished response from its status, headers and (bounded) body. */
export function classifyResponse(
  status: number,
  headers: { 'retry-after'?: string | string[]; 'content-type'?: string },
  body: Buffer,
): OtlpResponse {
  if (status >= 200 && status < 300) {
    const json = (headers['content-type'] ?? '').includes('json')
    const partial =
      body.length === 0
        ? undefined
        : json
          ? partialSuccessFromJson(body.toString('utf8'))
          : partialSuccessFromProtobuf(body)
    return partial ? { ok: true, partial } : { ok: true }
  }
  const retryAfter = headers['retry-after']
  return {
    ok: false,
    error: `HTTP ${status}`,
    retryable: isRetryableStatus(status),
    retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
  }
}
