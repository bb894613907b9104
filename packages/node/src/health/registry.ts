/**
 * The health registry: named checks, each run with its timeout, in the background every
 * interval (unref'd timer, so an idle service may exit) and on demand at most once per
 * coalescing window, so readiness probes in a tight loop never hammer a dependency. A check
 * whose previous invocation still hangs is not invoked again until that one settles.
 */
import { performance } from 'node:perf_hooks'
import { aggregate } from './aggregate.js'
import { HealthCheckInvalidError } from './errors.js'
import { runCheck } from './run-check.js'
import type { CheckState, HealthCheck, HealthReport, RegisterOptions } from './types.js'

/** Default `timeoutMs` of a check. */
export const DEFAULT_CHECK_TIMEOUT_MS = 2000
/** On-demand runs of one check are coalesced to at most one per this window. */
export const DEFAULT_COALESCE_WINDOW_MS = 1000

const NAME = /^[A-Za-z0-9_.-]{1,64}$/

export type RunListener = (name: string, state: CheckState) => void

interface Entry {
  name: string
  check: HealthCheck
  critical: boolean
  timeoutMs: number
  state: CheckState
  /** When the last run finished (monotonic ms). */
  finishedAt: number
  running: Promise<CheckState> | undefined
  /** The check's own promise from the last run, until it settles (a hung check). */
  hung: Promise<void> | undefined
  hungSince: number
  removed: boolean
}

export interface HealthRegistryOptions {
  /** @default DEFAULT_COALESCE_WINDOW_MS */
  coalesceWindowMs?: number
}

export class HealthRegistry {
  readonly #entries = new Map<string, Entry>()
  readonly #listeners = new Set<RunListener>()
  readonly #windowMs: number
  #timer: NodeJS.Timeout | undefined
  #intervalMs = 0
  #stopping = false
  /** Counts check invocations (the check function actually called); for tests and diagnostics. */
  invocations = 0

  constructor(options: HealthRegistryOptions = {}) {
    this.#windowMs = options.coalesceWindowMs ?? DEFAULT_COALESCE_WINDOW_MS
  }

  register(name: string, check: HealthCheck, options: RegisterOptions = {}): void {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new HealthCheckInvalidError(
        `health check name ${JSON.stringify(name)} is invalid: use 1-64 characters of A-Z a-z 0-9 _ . -`,
      )
    }
    if (typeof check !== 'function') {
      throw new HealthCheckInvalidError(`health check '${name}' must be a function, got ${typeof check}`)
    }
    if (this.#entries.has(name)) {
      throw new HealthCheckInvalidError(`health check '${name}' is already registered; unregister it first`)
    }
    const critical = options.critical ?? false
    if (typeof critical !== 'boolean') {
      throw new HealthCheckInvalidError(`health check '${name}': critical must be a boolean`)
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new HealthCheckInvalidError(
        `health check '${name}': timeoutMs must be a positive number of milliseconds`,
      )
    }
    const entry: Entry = {
      name,
      check,
      critical,
      timeoutMs,
      state: {
        status: 'unknown',
        critical,
        durationMs: null,
        lastError: null,
        lastSuccess: null,
        lastRun: null,
      },
      finishedAt: Number.NEGATIVE_INFINITY,
      running: undefined,
      hung: undefined,
      hungSince: 0,
      removed: false,
    }
    this.#entries.set(name, entry)
    // With the background loop running, a new check gets its first result right away.
    if (this.#timer !== undefined) void this.#run(entry, true)
  }

  /** Removes a check and closes it; returns whether it existed. */
  unregister(name: string): boolean {
    const entry = this.#entries.get(name)
    if (!entry) return false
    this.#entries.delete(name)
    entry.removed = true
    void closeCheck(entry.check)
    return true
  }

  has(name: string): boolean {
    return this.#entries.has(name)
  }

  names(): string[] {
    return [...this.#entries.keys()]
  }

  /** Called after every run of every check (metrics record durations here). */
  onRun(listener: RunListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The last aggregated result, without running anything. */
  status(): HealthReport {
    const checks: Record<string, CheckState> = {}
    for (const entry of this.#entries.values()) checks[entry.name] = { ...entry.state }
    const status = this.#stopping ? 'down' : aggregate(Object.values(checks))
    return { status, checks }
  }

  /**
   * Runs every check whose last result is older than the coalescing window (others are reused,
   * runs in flight are joined), then returns the aggregate.
   */
  async check(): Promise<HealthReport> {
    await Promise.all([...this.#entries.values()].map((entry) => this.#run(entry, false)))
    return this.status()
  }

  /** Starts background runs: one now, then one every `intervalMs` after the previous finished. */
  start(intervalMs: number): void {
    this.#stopping = false
    if (this.#timer !== undefined || !(intervalMs > 0)) return
    this.#intervalMs = intervalMs
    this.#timer = setTimeout(() => this.#tick(), 0)
    this.#timer.unref()
  }

  /** Stops background runs, reports `down` from now on and closes every check. */
  async stop(): Promise<void> {
    this.#stopping = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    await Promise.all([...this.#entries.values()].map((entry) => closeCheck(entry.check)))
  }

  /** Forgets every check (closing them) and resumes normal reporting; for tests and restarts. */
  async reset(): Promise<void> {
    await this.stop()
    for (const entry of this.#entries.values()) entry.removed = true
    this.#entries.clear()
    this.#stopping = false
  }

  get running(): boolean {
    return this.#timer !== undefined
  }

  async #tick(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => this.#run(entry, true)))
    if (this.#timer === undefined) return
    this.#timer = setTimeout(() => this.#tick(), this.#intervalMs)
    this.#timer.unref()
  }

  #run(entry: Entry, background: boolean): Promise<CheckState> {
    if (entry.running) return entry.running
    if (!background && performance.now() - entry.finishedAt < this.#windowMs)
      return Promise.resolve(entry.state)
    entry.running = this.#execute(entry).finally(() => {
      entry.running = undefined
      entry.finishedAt = performance.now()
    })
    return entry.running
  }

  async #execute(entry: Entry): Promise<CheckState> {
    const now = new Date().toISOString()
    if (entry.hung) {
      // Do not pile another call onto a dependency that still has not answered the last one.
      const seconds = Math.round((performance.now() - entry.hungSince) / 1000)
      entry.state = {
        ...entry.state,
        status: 'down',
        durationMs: 0,
        lastError: `previous run has not finished after ${seconds} s (timeout ${entry.timeoutMs} ms); not run again until it does`,
        lastRun: now,
      }
      return entry.state
    }
    this.invocations++
    const outcome = await runCheck(entry.name, entry.check, entry.timeoutMs)
    if (outcome.timedOut) {
      entry.hung = outcome.settled
      entry.hungSince = performance.now() - outcome.durationMs
      void outcome.settled.then(() => {
        entry.hung = undefined
      })
    }
    if (entry.removed) return entry.state
    const ok = outcome.status !== 'down'
    entry.state = {
      status: outcome.status,
      critical: entry.critical,
      durationMs: round(outcome.durationMs),
      lastError: outcome.message,
      lastSuccess: ok ? now : entry.state.lastSuccess,
      lastRun: now,
    }
    for (const listener of this.#listeners) {
      try {
        listener(entry.name, entry.state)
      } catch {
        // a listener must never break the registry
      }
    }
    return entry.state
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

async function closeCheck(check: HealthCheck): Promise<void> {
  try {
    await check.close?.()
  } catch {
    // closing is best effort
  }
}
