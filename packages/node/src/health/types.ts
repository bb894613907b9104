/**
 * Public types of the health registry: what a check is, what it may return, how it is
 * registered, and the shape of the aggregated report served on /readyz.
 */

/** The status of one check or of the whole service. */
export type HealthStatus = 'up' | 'degraded' | 'down'

/** A check's status before its first run is `unknown`; it is left out of the aggregate. */
export type CheckStatus = HealthStatus | 'unknown'

/**
 * What a check may return (or resolve to). `undefined`/`true` mean up, `false` means down, a
 * status string is taken as is, and `{ status, message }` adds a reason. Anything else, a throw
 * or a timeout makes the check `down` with the reason.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a check may be any function that returns nothing
export type CheckOutcome = void | boolean | HealthStatus | { status: HealthStatus; message?: string }

/**
 * A health check: an async function of an `AbortSignal` that is aborted when the check's
 * timeout expires (built-in checks close their connection then). `close`, when present, is
 * called once when the check is unregistered or the SDK shuts down.
 */
export interface HealthCheck {
  (signal: AbortSignal): CheckOutcome | Promise<CheckOutcome>
  close?: () => void | Promise<void>
}

/** Options of `health.register()`. */
export interface RegisterOptions {
  /**
   * A failing critical check makes the whole status `down` (503 on /readyz); a failing
   * non-critical one makes it `degraded` (still 200).
   * @default false
   */
  critical?: boolean
  /**
   * Time a run may take; past it the check is `down` ("timed out after N ms") and its signal
   * is aborted.
   * @default 2000
   */
  timeoutMs?: number
}

/** The last known state of one check, as served in the /readyz body. */
export interface CheckState {
  status: CheckStatus
  critical: boolean
  /** Duration of the last run in milliseconds (`null` before the first run). */
  durationMs: number | null
  /** Reason of the last failure or degradation, `null` when the last run was up. */
  lastError: string | null
  /** ISO time of the last run that was up or degraded. */
  lastSuccess: string | null
  /** ISO time of the last run. */
  lastRun: string | null
}

/** The aggregated report: `/readyz` body and `health.status()`. */
export interface HealthReport {
  status: HealthStatus
  checks: Record<string, CheckState>
}
