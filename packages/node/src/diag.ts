/**
 * Routes the OpenTelemetry API's `diag` output (what upstream instrumentations, the SDK and the
 * exporters report about themselves) through otelkit's logger, at the level `OTEL_LOG_LEVEL`
 * sets, so an upstream problem is visible in the same `[otelkit]` lines. Rate-limited: one line
 * per kind of message (ids and numbers ignored) per minute, and, errors aside, at most
 * {@link DIAG_LINES_PER_MINUTE} warning and info lines a minute in all; what was held back is
 * counted and reported, at the latest on stop. Objects passed along are named, never written out.
 */
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api'
import type { LogLevelName } from './config/options.js'
import { type LogLevel, log } from './logger.js'

/** Upstream diagnostic lines written per minute at most, over all kinds of message. */
export const DIAG_LINES_PER_MINUTE = 20
const INTERVAL_MS = 60_000
const MAX_LINE = 500
const MAX_KINDS = 1000

const LEVELS: Record<LogLevelName, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
}

export interface DiagRoute {
  /** Reports what was held back, and stops routing. */
  stop(): void
}

/** The kind of a message: its text with ids, numbers and quoted values left out. */
function kindOf(message: string): string {
  return message
    .slice(0, 200)
    .replace(/[0-9a-f]{8,}/gi, '#')
    .replace(/\d+/g, '#')
}

/**
 * An argument as text: errors by name and message, primitives as they are, any other object by
 * its kind only (a resource or span passed to a debug line carries attributes such as a
 * process's command line, which otelkit never writes out).
 */
function describe(arg: unknown): string {
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`
  if (arg === null || (typeof arg !== 'object' && typeof arg !== 'function')) return String(arg)
  if (Array.isArray(arg)) return `<array of ${arg.length}>`
  return `<${(arg as object).constructor?.name ?? 'object'}>`
}

/** Sets the API's diag logger to otelkit's logger at `level`. */
export function routeDiag(level: LogLevelName): DiagRoute {
  const kinds = new Map<string, number>()
  let windowStart = Date.now()
  let written = 0
  let suppressed = 0
  const flushSuppressed = () => {
    if (suppressed === 0) return
    log.warn(
      `${suppressed} more upstream diagnostic line(s) held back (at most one per kind of message and ${DIAG_LINES_PER_MINUTE} in all per minute)`,
    )
    suppressed = 0
  }
  const emit =
    (at: LogLevel) =>
    (message: string, ...args: unknown[]) => {
      try {
        const now = Date.now()
        if (now - windowStart >= INTERVAL_MS) {
          windowStart = now
          written = 0
          flushSuppressed()
        }
        const text = String(message)
        const kind = `${at}:${kindOf(text)}`
        const last = kinds.get(kind)
        // Errors, and debug lines (asked for), are held back only when the same kind repeats.
        const budgeted = at === 'warn' || at === 'info'
        if (
          (last !== undefined && now - last < INTERVAL_MS) ||
          (budgeted && written >= DIAG_LINES_PER_MINUTE)
        ) {
          suppressed++
          return
        }
        if (kinds.size >= MAX_KINDS) kinds.clear()
        kinds.set(kind, now)
        if (budgeted) written++
        const line = [text, ...args.map(describe)].join(' ')
        log[at](`upstream: ${line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}...` : line}`)
      } catch {
        // diagnostics must never break the host
      }
    }
  const logger: DiagLogger = {
    error: emit('error'),
    warn: emit('warn'),
    info: emit('info'),
    debug: emit('debug'),
    verbose: emit('debug'),
  }
  diag.setLogger(logger, { logLevel: LEVELS[level], suppressOverrideMessage: true })
  return {
    stop() {
      flushSuppressed()
      diag.disable()
    },
  }
}
