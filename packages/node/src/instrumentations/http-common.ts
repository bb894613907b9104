/**
 * Small helpers shared by the HTTP server and client instrumentations: method normalisation as
 * the semantic conventions define it, and parsing of proxy queue-start headers.
 */

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
])

/** Known methods as they are; anything else is `_OTHER` (bounded cardinality). */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return '_OTHER'
  if (KNOWN_METHODS.has(method)) return method
  const upper = method.toUpperCase()
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER'
}

/**
 * Milliseconds since the epoch at which a front proxy received the request, from
 * `X-Request-Start` / `X-Queue-Start` (`t=<value>` or a bare value, in seconds with a fraction
 * as nginx's `$msec` gives, milliseconds as Heroku sends, or microseconds). Undefined when
 * absent or implausible.
 */
export function parseQueueStart(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined
  const raw = Array.isArray(header) ? header[0] : header
  if (!raw) return undefined
  const value = Number(raw.startsWith('t=') ? raw.slice(2) : raw)
  if (!Number.isFinite(value) || value <= 0) return undefined
  if (value > 1e15) return value / 1000 // microseconds
  if (value > 1e11) return value // milliseconds
  return value * 1000 // seconds
}
