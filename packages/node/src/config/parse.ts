/**
 * Parsers from environment strings to typed values. Each returns `{ ok: true, value }` or
 * `{ ok: false, expected }`, where `expected` describes the accepted form for the warning line.
 */

/**
 * A parse result. A list of entries may be accepted in part: `skipped` names the entries left
 * out (by position, and by key when they have one: never by value, which may be a secret).
 */
export type Parsed<T> =
  | { ok: true; value: T; skipped?: { entries: string[]; expected: string } }
  | { ok: false; expected: string }

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const bad = (expected: string): Parsed<never> => ({ ok: false, expected })

export function parseBoolean(raw: string): Parsed<boolean> {
  const v = raw.trim().toLowerCase()
  if (v === 'true') return ok(true)
  if (v === 'false') return ok(false)
  return bad('true or false')
}

export function parseInteger(min: number, max: number) {
  return (raw: string): Parsed<number> => {
    const v = raw.trim()
    if (!/^-?\d+$/.test(v)) return bad(`a whole number from ${min} to ${max}`)
    const n = Number(v)
    return n >= min && n <= max ? ok(n) : bad(`a whole number from ${min} to ${max}`)
  }
}

export function parseRatio(raw: string): Parsed<number> {
  const v = raw.trim()
  const n = v === '' ? Number.NaN : Number(v)
  return Number.isFinite(n) && n >= 0 && n <= 1 ? ok(n) : bad('a number from 0 to 1, e.g. 0.1')
}

/**
 * The duration syntax of every otelkit package (the SDK's variables, @otelkit/cache options, the
 * CLI's flags and scenarios): a number with a unit `ms`, `s`, `m`, `h` or `d`, or a bare number,
 * which is milliseconds (as the standard `OTEL_*` variables are). Same grammar in
 * packages/cache/src/duration.ts and packages/cli/src/units.ts; tests/durations.test.ts holds
 * the three to one answer for every form.
 */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/
export const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

/** `30s`, `500ms`, `5m`, `1h`, or a plain number of milliseconds, within bounds. */
export function parseDuration(minMs: number, maxMs: number) {
  const expected = `a duration such as 500ms, 30s, 5m or a number of milliseconds, from ${minMs} ms to ${maxMs} ms`
  return (raw: string): Parsed<number> => {
    const match = DURATION_PATTERN.exec(raw.trim())
    if (!match) return bad(expected)
    const ms = Number(match[1]) * (DURATION_UNITS[match[2] ?? 'ms'] ?? 1)
    return ms >= minMs && ms <= maxMs ? ok(Math.round(ms)) : bad(expected)
  }
}

export function parseEnum<T extends string>(allowed: readonly T[]) {
  return (raw: string): Parsed<T> => {
    const v = raw.trim().toLowerCase() as T
    return allowed.includes(v) ? ok(v) : bad(`one of ${allowed.join(', ')}`)
  }
}

/** Comma-separated list whose every item is in `allowed` (when given); empty items are ignored. */
export function parseList<T extends string>(allowed?: readonly T[]) {
  return (raw: string): Parsed<T[]> => {
    const items = raw
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s.length > 0)
    if (allowed) {
      const unknown = items.filter((s) => !allowed.includes(s as T))
      if (unknown.length > 0)
        return bad(`a comma-separated list of ${allowed.join(', ')} (unknown: ${unknown.join(', ')})`)
    }
    return ok([...new Set(items)] as T[])
  }
}

/**
 * An OTLP endpoint: an http:// or https:// URL, or `host:port` without a scheme (then
 * `OTEL_EXPORTER_OTLP_INSECURE` decides between http and https, as the specification says).
 */
export function parseOtlpEndpoint(raw: string): Parsed<string> {
  const v = raw.trim()
  if (/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/.test(v)) return ok(v)
  const url = parseHttpUrl(v)
  return url.ok
    ? url
    : bad(
        'an http:// or https:// URL, e.g. http://otel-collector:4318, or host:port (https unless OTEL_EXPORTER_OTLP_INSECURE=true)',
      )
}

/** A file path (relative paths are relative to the working directory). */
export function parsePath(raw: string): Parsed<string> {
  const v = raw.trim()
  return [...v].some((c) => c.charCodeAt(0) < 32) ? bad('a file path, e.g. /etc/otel/ca.pem') : ok(v)
}

export function parseHttpUrl(raw: string): Parsed<string> {
  try {
    const url = new URL(raw.trim())
    if (url.protocol === 'http:' || url.protocol === 'https:') return ok(url.toString().replace(/\/$/, ''))
  } catch {
    // fall through
  }
  return bad('an http:// or https:// URL, e.g. http://otel-collector:4318')
}

/**
 * `key=value,key2=value2` with percent-encoded values (W3C baggage form, as the spec defines).
 * A malformed pair is skipped and reported; the others apply. `example` shows the accepted form
 * in the warning.
 */
export function parseKeyValues(example: string) {
  const expected = `comma-separated key=value pairs with percent-encoded values, e.g. ${example}`
  return (raw: string): Parsed<Record<string, string>> => {
    const out: Record<string, string> = {}
    const skipped: string[] = []
    let entries = 0
    for (const part of raw.split(',')) {
      if (part.trim() === '') continue
      entries++
      const eq = part.indexOf('=')
      const key = eq > 0 ? part.slice(0, eq).trim() : ''
      if (key === '' || /\s/.test(key)) {
        skipped.push(`entry ${entries}`)
        continue
      }
      try {
        out[key] = decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        skipped.push(`entry ${entries} (key ${JSON.stringify(key)})`)
      }
    }
    if (skipped.length === 0) return ok(out)
    if (skipped.length === entries) return bad(expected)
    return { ok: true, value: out, skipped: { entries: skipped, expected } }
  }
}

export function parseString(raw: string): Parsed<string> {
  return ok(raw.trim())
}

export function parseHost(raw: string): Parsed<string> {
  const v = raw.trim()
  return /^[A-Za-z0-9.:[\]-]+$/.test(v) ? ok(v) : bad('a host name or IP address, e.g. 0.0.0.0 or 127.0.0.1')
}

export function parseToken(raw: string): Parsed<string> {
  const v = raw.trim()
  return v.length >= 16 && !/\s/.test(v) ? ok(v) : bad('a secret of at least 16 characters without spaces')
}
