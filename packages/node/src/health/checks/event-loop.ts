/**
 * Event-loop delay check: p99 of the loop delay since the previous run (from
 * `perf_hooks.monitorEventLoopDelay`, which is enabled only while the check is registered),
 * `degraded` above `degradedDelayMs`, `down` above `maxDelayMs`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { HealthCheck } from '../types.js'

/** Options of `health.checks.eventLoop()`. */
export interface EventLoopCheckOptions {
  /** p99 delay (ms) above which the check is `down`. @default 1000 */
  maxDelayMs?: number
  /** p99 delay (ms) above which the check is `degraded`. @default 200 */
  degradedDelayMs?: number
  /** Sampling resolution of the delay histogram (ms). @default 20 */
  resolutionMs?: number
}

export function eventLoop(options: EventLoopCheckOptions = {}): HealthCheck {
  const maxDelayMs = options.maxDelayMs ?? 1000
  const degradedDelayMs = options.degradedDelayMs ?? 200
  const histogram = monitorEventLoopDelay({ resolution: options.resolutionMs ?? 20 })
  histogram.enable()
  const check: HealthCheck = () => {
    if (histogram.count === 0) return { status: 'up' }
    const p99 = histogram.percentile(99) / 1e6
    histogram.reset()
    const detail = `event-loop delay p99 ${p99.toFixed(1)} ms`
    if (p99 > maxDelayMs) return { status: 'down', message: `${detail} > ${maxDelayMs} ms` }
    if (p99 > degradedDelayMs) return { status: 'degraded', message: `${detail} > ${degradedDelayMs} ms` }
    return { status: 'up' }
  }
  check.close = () => {
    histogram.disable()
  }
  return check
}
