/**
 * Wraps instrumentation callbacks that run inside the host's code paths (diagnostics-channel
 * subscribers, response listeners). Node rethrows a subscriber's error as an uncaught exception,
 * so an otelkit bug there would crash the service: here it is caught, logged at most once a
 * minute, and the event is skipped.
 */
import { rateLimitedLogger } from '../logger.js'

const logOnce = rateLimitedLogger(60_000)

/**
 * `fn` behind a guard. Callbacks get one argument (the diagnostics-channel message; listeners
 * none): passed on with `call`, no rest array and spread per event.
 */
export function guarded<M = unknown, This = unknown>(
  where: string,
  fn: (this: This, message: M) => void,
): (this: This, message: M) => void {
  return function guardedCallback(this: This, message: M): void {
    try {
      fn.call(this, message)
    } catch (error) {
      reportSkippedEvent(where, error)
    }
  }
}

/** Logs (at most once a minute per `where`) that an event was skipped after an internal error. */
export function reportSkippedEvent(where: string, error: unknown): void {
  logOnce(
    'warn',
    where,
    `${where}: an event was skipped after an internal error (${(error as Error)?.message ?? String(error)}); the service is unaffected`,
  )
}

/** The same for an object of tracing-channel handlers. */
export function guardedHandlers<T extends Record<string, (message: unknown) => void>>(
  where: string,
  handlers: T,
): T {
  const out: Record<string, (message: unknown) => void> = {}
  for (const [key, fn] of Object.entries(handlers)) out[key] = guarded(`${where} (${key})`, fn)
  return out as T
}
