/**
 * Small helpers shared by the HTTP server and client instrumentations: method normalisation as
 * the semantic conventions define it, parsing of proxy queue-start headers, and the end of a
 * client request (span status and http.client.request.duration) for node:http and undici alike.
 */
import { type Attributes, type Span, SpanStatusCode } from '@opentelemetry/api'
import type { FastHistogram } from '../metrics/fast-instruments.js'

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

/** A finished outgoing request, as both client instrumentations describe it. */
export interface ClientRequestOutcome {
  method: string
  host: string
  port: number
  status: number | undefined
  errorType: string | undefined
  durationS: number
}

/** Ends a client span with its status and records http.client.request.duration. */
export function endClientRequest(span: Span, histogram: FastHistogram, outcome: ClientRequestOutcome): void {
  const { method, host, port, status, errorType } = outcome
  if (status !== undefined) span.setAttribute('http.response.status_code', status)
  if (errorType !== undefined) {
    span.setAttribute('error.type', errorType)
    span.setStatus({ code: SpanStatusCode.ERROR })
  }
  span.end()
  const key = `${method}|${host}|${port}|${status ?? ''}|${errorType ?? ''}`
  histogram.record(
    key,
    outcome.durationS,
    () => {
      const attributes: Attributes = {
        'http.request.method': method,
        'server.address': host,
        'server.port': port,
      }
      if (status !== undefined) attributes['http.response.status_code'] = status
      if (errorType !== undefined) attributes['error.type'] = errorType
      return attributes
    },
    span,
  )
}
