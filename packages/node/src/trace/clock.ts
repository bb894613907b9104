/**
 * Span timestamps from one clock read: `performance.now()` plus an offset to the wall clock
 * (the SDK reads both clocks for every span). The offset starts at `performance.timeOrigin` and
 * is checked against `Date.now()` at most once a second: a drift of the monotonic clock from the
 * system clock beyond 2 ms is corrected then, so it never accumulates. Durations come from the
 * monotonic clock alone. Conversions to and from the API's `HrTime` and `TimeInput`.
 */
// The module's `performance`, not the global one: the global is an accessor, a getter call per read.
import { performance } from 'node:perf_hooks'
import type { HrTime, TimeInput } from '@opentelemetry/api'

const CHECK_EVERY_MS = 1000
/** Date.now() has millisecond steps: smaller differences are its rounding, not drift. */
const DRIFT_TOLERANCE_MS = 2
let checkedAt = Number.NEGATIVE_INFINITY
let offsetMs = performance.timeOrigin

/** Epoch milliseconds of a `performance.now()` reading. */
export function perfToEpochMs(perf: number): number {
  if (perf - checkedAt > CHECK_EVERY_MS) {
    checkedAt = perf
    const drift = Date.now() - (perf + offsetMs)
    if (drift > DRIFT_TOLERANCE_MS || drift < -DRIFT_TOLERANCE_MS) offsetMs += drift
  }
  return perf + offsetMs
}

/** `[seconds, nanoseconds]` of epoch milliseconds. */
export function msToHrTime(ms: number): HrTime {
  const seconds = Math.trunc(ms / 1000)
  const nanos = Math.round((ms - seconds * 1000) * 1e6)
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos]
}

/** Whether a value is an `[seconds, nanoseconds]` pair. */
export function isHrTime(value: unknown): value is HrTime {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number'
  )
}

/**
 * Epoch milliseconds of a time the API accepts, as the SDK reads it: a number not later than
 * `performance.now()` is a performance timestamp, a larger one epoch milliseconds; a Date; an
 * HrTime. `undefined` when the input is none of these.
 */
export function timeInputToMs(input: TimeInput | undefined): number | undefined {
  if (typeof input === 'number') {
    if (input <= performance.now()) return perfToEpochMs(input)
    return input
  }
  if (input instanceof Date) return input.getTime()
  if (isHrTime(input)) return input[0] * 1000 + input[1] / 1e6
  return undefined
}

/** Whether a value is a time input (the second argument of `addEvent` may be one). */
export function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || isHrTime(value)
}
