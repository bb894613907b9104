/**
 * Content negotiation of /metrics: OpenMetrics 1.0 for a scraper whose `Accept` header ranks
 * `application/openmetrics-text` above every text/plain and wildcard range it also accepts
 * (Prometheus 2.49+ and 3.x do by default), the Prometheus text format 0.0.4 for anything else
 * (no header, a wildcard, browsers, curl, older scrapers).
 */
import type { ExpositionFormat } from './prometheus-text.js'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

/** The content type served for a format. */
export function contentType(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE
}

/** Longest `Accept` header read; a longer one is answered in the default format. */
const MAX_ACCEPT_LENGTH = 4096

/** The format to serve for an `Accept` header value. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept.length > MAX_ACCEPT_LENGTH || !accept.includes('openmetrics')) {
    return 'prometheus'
  }
  let best: ExpositionFormat = 'prometheus'
  let bestQ = -1
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase())
    let q = 1
    let version: string | undefined
    for (const param of params) {
      const eq = param.indexOf('=')
      if (eq < 0) continue
      const key = param.slice(0, eq).trim()
      const value = param.slice(eq + 1).trim()
      if (key === 'q') q = Number(value)
      else if (key === 'version') version = value
    }
    if (!(q > 0)) continue
    let format: ExpositionFormat | undefined
    if (type === 'application/openmetrics-text') {
      if (version === undefined || version === '1.0.0' || version === '0.0.1') format = 'openmetrics'
    } else if (type === 'text/plain' || type === 'text/*' || type === '*/*') {
      format = 'prometheus'
    }
    // Equal weights keep the earlier range, as a scraper lists its preference first.
    if (format !== undefined && q > bestQ) {
      best = format
      bestQ = q
    }
  }
  return best
}
