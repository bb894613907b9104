/** Parsing of human units on the command line: durations (`10s`, `250ms`, `2m`), percentages, sizes. */
import { usageError } from './errors.js'

/**
 * The duration syntax of every otelkit package (the SDK's variables, @otelkit/cache): a number
 * with a unit `ms`, `s`, `m`, `h` or `d`, or a bare number, which is milliseconds.
 */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/

const TO_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Milliseconds of a duration (`30s`, `500ms`, `2m`); a bare number, string or not, is milliseconds. */
export function parseDurationMs(value: string | number, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw usageError(`${what} must be a non-negative duration, got ${value}`)
    return value
  }
  const match = DURATION.exec(value.trim())
  if (!match)
    throw usageError(
      `${what} must be a duration like 30s, 500ms or 2m (a bare number is milliseconds), got ${JSON.stringify(value)}`,
    )
  return Number(match[1]) * TO_MS[match[2] ?? 'ms']!
}

/**
 * The length of a load run or stage. A bare number under 1000 is refused rather than run for a
 * few milliseconds: `-d 30` almost always means thirty seconds, which is written `30s`.
 */
export function parseRunLengthMs(value: string | number, what: string): number {
  const ms = parseDurationMs(value, what)
  const bare = typeof value === 'number' || /^\s*\d+(?:\.\d+)?\s*$/.test(value)
  if (bare && ms > 0 && ms < 1000)
    throw usageError(
      `${what} ${String(value).trim()} means ${ms} milliseconds (a bare number is milliseconds); write ${String(value).trim()}s for seconds, or ${String(value).trim()}ms if you mean milliseconds`,
    )
  return ms
}

/** A positive integer from a flag value. */
export function parsePositiveInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0)
    throw usageError(`${what} must be a positive integer, got ${JSON.stringify(value)}`)
  return n
}

/** A percentage (`10%` or `10`) as a fraction (0.1). */
export function parsePercent(value: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim())
  if (!match) throw usageError(`${what} must be a percentage like 10%, got ${JSON.stringify(value)}`)
  return Number(match[1]) / 100
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-'
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`
  if (ms >= 10) return `${ms.toFixed(1)}ms`
  return `${ms.toFixed(2)}ms`
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}
