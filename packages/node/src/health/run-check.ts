/**
 * Runs one check once: bounded by its timeout (the signal is aborted then), with every throw,
 * hang or malformed result turned into a `down` outcome with a reason. Never throws. Checks run
 * with tracing suppressed, so probes add no spans.
 */
import { performance } from 'node:perf_hooks'
import { context } from '@opentelemetry/api'
import { suppressTracing } from '@opentelemetry/core'
import { stripUrlUserinfo } from '../privacy/url.js'
import { HealthCheckResultError, HealthCheckTimeoutError } from './errors.js'
import type { HealthCheck, HealthStatus } from './types.js'

export interface RunOutcome {
  status: HealthStatus
  message: string | null
  durationMs: number
  /** The run was cut by its timeout. */
  timedOut: boolean
  /** Settles when the check's own promise settles (it may outlive the timeout). */
  settled: Promise<void>
}

const STATUSES = new Set<string>(['up', 'degraded', 'down'])

/** Maps what a check returned to a status and message, or throws a `HealthCheckResultError`. */
export function normalizeOutcome(
  name: string,
  value: unknown,
): { status: HealthStatus; message: string | null } {
  if (value === undefined || value === true) return { status: 'up', message: null }
  if (value === false) return { status: 'down', message: 'check returned false' }
  if (typeof value === 'string' && STATUSES.has(value)) {
    return { status: value as HealthStatus, message: value === 'up' ? null : `check returned '${value}'` }
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    STATUSES.has((value as { status?: unknown }).status as string)
  ) {
    const { status, message } = value as { status: HealthStatus; message?: unknown }
    const text = typeof message === 'string' && message.length > 0 ? message : null
    return { status, message: text ?? (status === 'up' ? null : `check returned '${status}'`) }
  }
  throw new HealthCheckResultError(name, describe(value))
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40))
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object without a valid status'
  return `${typeof value} ${String(value).slice(0, 40)}`
}

/** What a failed check reports, without any URL's userinfo (it is logged and served). */
function reason(error: unknown): string {
  return stripUrlUserinfo(error instanceof Error ? error.message || error.name : String(error))
}

export async function runCheck(name: string, check: HealthCheck, timeoutMs: number): Promise<RunOutcome> {
  const controller = new AbortController()
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  let invoked: Promise<unknown>
  try {
    // A check's own queries and requests are not the service's traffic: no spans for them.
    invoked = Promise.resolve(context.with(suppressTracing(context.active()), () => check(controller.signal)))
  } catch (error) {
    invoked = Promise.reject(error)
  }
  const settled = invoked.then(
    () => undefined,
    () => undefined,
  )
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new HealthCheckTimeoutError(name, timeoutMs)
      controller.abort(error)
      reject(error)
    }, timeoutMs)
    timer.unref()
  })
  try {
    const value = await Promise.race([invoked, timeout])
    const { status, message } = normalizeOutcome(name, value)
    return { status, message, durationMs: performance.now() - started, timedOut: false, settled }
  } catch (error) {
    const timedOut = error instanceof HealthCheckTimeoutError
    return {
      status: 'down',
      message: reason(error),
      durationMs: performance.now() - started,
      timedOut,
      settled,
    }
  } finally {
    clearTimeout(timer)
  }
}
