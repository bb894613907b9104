/**
 * Durations as milliseconds (numbers) or strings such as '500ms', '30s', '5m', '1h', '1d'; a
 * string without a unit ('30') is milliseconds, as a number is. The grammar of every otelkit
 * package (the SDK's variables and the CLI's flags read durations the same way; a test in
 * @otelkit/node holds the three to it).
 */
import { InvalidDurationError } from './errors.js'

/** A duration: milliseconds as a number, or a string with a unit (ms, s, m, h, d) or without one (ms). */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}` | string

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/

/** Parses a duration to milliseconds; throws InvalidDurationError naming `name` when it is invalid. */
export function toMs(value: Duration, name: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.round(value)
    throw new InvalidDurationError(name, value)
  }
  if (typeof value === 'string') {
    const m = PATTERN.exec(value)
    if (m) return Math.round(Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1))
  }
  throw new InvalidDurationError(name, value)
}

/** Like toMs, but undefined stays undefined. */
export function optionalMs(value: Duration | undefined, name: string): number | undefined {
  return value === undefined ? undefined : toMs(value, name)
}
