/**
 * Retries an OTLP request as the specification asks: only retryable refusals (429, 502, 503,
 * 504) and network errors, exponential back-off with jitter, `Retry-After` honoured, and the
 * whole attempt bounded by a deadline. Waits are timers (never blocking the event loop); a wait
 * that would end past the deadline is not started: the last failure is returned instead.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { OtlpResponse } from './response.js'

/** Back-off settings of {@link sendWithRetry}. */
export interface RetryOptions {
  /** Time (ms since epoch) after which no attempt starts and no wait ends. */
  deadline: number
  /** First back-off, before jitter. @default 500 */
  initialBackoffMs?: number
  /** Longest back-off, before jitter. @default 5000 */
  maxBackoffMs?: number
  /** Longest `Retry-After` honoured; a longer one ends the retries. @default 60000 */
  maxRetryAfterMs?: number
  /** Random source in [0, 1), for tests. @default Math.random */
  random?: () => number
}

/** The outcome of all attempts, with how many were made. */
export type RetriedResponse = OtlpResponse & { attempts: number }

/**
 * Calls `attempt` until it succeeds, fails without a retry, or the deadline leaves no time for
 * the next wait. The jitter draws each wait uniformly from [backoff / 2, backoff).
 */
export async function sendWithRetry(
  attempt: () => Promise<OtlpResponse>,
  options: RetryOptions,
): Promise<RetriedResponse> {
  const initial = options.initialBackoffMs ?? 500
  const max = options.maxBackoffMs ?? 5000
  const maxRetryAfter = options.maxRetryAfterMs ?? 60_000
  const random = options.random ?? Math.random
  let backoff = initial
  for (let attempts = 1; ; attempts++) {
    const result = await attempt()
    if (result.ok || !result.retryable) return { ...result, attempts }
    let wait = backoff / 2 + random() * (backoff / 2)
    if (result.retryAfterMs !== undefined) {
      if (result.retryAfterMs > maxRetryAfter) {
        return {
          ...result,
          error: `${result.error} (Retry-After ${result.retryAfterMs} ms is too long)`,
          attempts,
        }
      }
      wait = Math.max(wait, result.retryAfterMs)
    }
    if (Date.now() + wait >= options.deadline) {
      return { ...result, error: `${result.error} after ${attempts} attempt(s)`, attempts }
    }
    await sleep(wait, undefined, { ref: false })
    backoff = Math.min(backoff * 2, max)
  }
}
