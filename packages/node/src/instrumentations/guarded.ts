/**
 * Wraps instrumentation callbacks that run inside the host's code paths (diagnostics-channel
 * subscribers, response listeners). Node rethrows a subscriber's error as an uncaught exception,
 * so an otelkit bug there would crash the service: here it is caught, logged at most once a
 * minute, and the event is skipped.
 */
import { rateLimitedLogger } from '../logger.js'

const logOnce = rateLimitedLogger(60_000)

export function guarded<A extends unknown[], This = unknown>(
  where: string,
  fn: (this: This, ...args: A) => void,
): (this: This, ...args: A) => void {
  return function guardedCallback(this: This, ...args: A): void {
    try {
      fn.apply(this, args)
    } catch (error) {
      logOnce(
        'warn',
        where,
        `${where}: an event was skipped after an internal error (${(error as Error)?.message ?? String(error)}); the service is unaffected`,
      )
    }
  }
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
