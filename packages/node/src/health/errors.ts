/**
 * Errors of the health registry. Registration mistakes throw `HealthCheckInvalidError`; the
 * others never escape: they become the `lastError` of a `down` check.
 */
import { OtelkitError } from '../errors.js'

/** A registration is invalid (name, function or options), or an `OTELKIT_HEALTH_CHECKS` entry is. */
export class HealthCheckInvalidError extends OtelkitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OTELKIT_HEALTH_CHECK_INVALID', message, options)
    this.name = 'HealthCheckInvalidError'
  }
}

/** A check run took longer than its `timeoutMs`. */
export class HealthCheckTimeoutError extends OtelkitError {
  readonly check: string
  constructor(check: string, timeoutMs: number) {
    super('OTELKIT_HEALTH_CHECK_TIMEOUT', `timed out after ${timeoutMs} ms`)
    this.name = 'HealthCheckTimeoutError'
    this.check = check
  }
}

/** A check returned something that is not a health outcome. */
export class HealthCheckResultError extends OtelkitError {
  readonly check: string
  constructor(check: string, got: string) {
    super(
      'OTELKIT_HEALTH_CHECK_RESULT_INVALID',
      `returned ${got}; expected undefined, a boolean, 'up' | 'degraded' | 'down' or { status, message }`,
    )
    this.name = 'HealthCheckResultError'
    this.check = check
  }
}

/** A URL-based check needs a driver package that the application does not have. */
export class HealthDriverMissingError extends OtelkitError {
  readonly driver: string
  constructor(driver: string, scheme: string, options?: { cause?: unknown }) {
    super(
      'OTELKIT_HEALTH_DRIVER_MISSING',
      `the ${scheme} check needs the '${driver}' package; install it in the application (npm install ${driver})`,
      options,
    )
    this.name = 'HealthDriverMissingError'
    this.driver = driver
  }
}
