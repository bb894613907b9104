/**
 * otelkit's own diagnostic output: one line per event on stderr, prefixed `[otelkit]`, so a
 * misconfiguration or an outage is visible without ever throwing into the host service. No line
 * carries a URL's userinfo.
 */
import { stripUrlUserinfo } from './privacy/url.js'

export type LogLevel = 'error' | 'warn' | 'info' | 'debug'

const LEVEL_ORDER: Record<LogLevel | 'none', number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4 }

let threshold = LEVEL_ORDER.info
let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`)

/** Sets the most verbose level that is written (`OTEL_LOG_LEVEL`). */
export function setLogLevel(level: LogLevel | 'none'): void {
  threshold = LEVEL_ORDER[level]
}

/** Replaces where log lines go (tests capture them). */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn
}

function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  if (LEVEL_ORDER[level] > threshold) return
  const suffix = fields ? ` ${safeJson(fields)}` : ''
  try {
    // A URL in a line (an endpoint, a health-check target, a driver's error) never shows its
    // `user:password@`, whoever wrote the line.
    sink(stripUrlUserinfo(`[otelkit] ${level}: ${message}${suffix}`))
  } catch {
    // a broken stderr must never break the host
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch {
    return '{}'
  }
}

export const log = {
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
}

/**
 * Returns a logger that writes a given key at most once per `intervalMs` and counts what it
 * suppressed, so a failing exporter or dependency produces one line a minute, not a flood.
 */
export function rateLimitedLogger(intervalMs = 60_000) {
  const last = new Map<string, { at: number; suppressed: number }>()
  return (level: LogLevel, key: string, message: string) => {
    const now = Date.now()
    const entry = last.get(key)
    if (entry && now - entry.at < intervalMs) {
      entry.suppressed++
      return
    }
    const suppressed = entry?.suppressed ?? 0
    last.set(key, { at: now, suppressed: 0 })
    write(level, suppressed > 0 ? `${message} (${suppressed} similar suppressed)` : message)
  }
}
