/**
 * Typed errors with stable codes. Every code is listed in `ERROR_CODES` and documented in the
 * package README (a test keeps the two in step); a retired code is never reused.
 */

export const ERROR_CODES = {
  OTELKIT_CONFIG_INVALID:
    'An option passed to start() is invalid; the message names it and the accepted form.',
  OTELKIT_ALREADY_STARTED: 'start() was called while the SDK is already running; call shutdown() first.',
  OTELKIT_HEALTH_CHECK_INVALID: 'A health check registration is invalid (name, function or options).',
  OTELKIT_OPS_ROUTE_INVALID: 'An ops server route registration is invalid (path must start with "/").',
  OTELKIT_HEALTH_CHECK_TIMEOUT:
    "A health check run exceeded its timeoutMs (reported as the check's lastError, never thrown).",
  OTELKIT_HEALTH_CHECK_RESULT_INVALID:
    'A health check returned something that is not an outcome (reported as lastError, never thrown).',
  OTELKIT_HEALTH_DRIVER_MISSING:
    'A URL-based health check needs pg, mysql2 or ioredis and the application lacks it (reported as lastError).',
} as const

export type OtelkitErrorCode = keyof typeof ERROR_CODES

/** Base class of every error otelkit throws on purpose. */
export class OtelkitError extends Error {
  readonly code: OtelkitErrorCode
  constructor(code: OtelkitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'OtelkitError'
    this.code = code
  }
}

/** Thrown by `start(options)` when an option is invalid. `issues` lists each bad option. */
export class OtelkitConfigError extends OtelkitError {
  readonly issues: readonly string[]
  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super('OTELKIT_CONFIG_INVALID', `invalid otelkit options: ${issues.join('; ')}`, options)
    this.name = 'OtelkitConfigError'
    this.issues = issues
  }
}
