/**
 * The CLI's errors: one class with stable `OTELKIT_CLI_*` codes. `bin.ts` prints an error as one
 * line (`otelkit: <message> [<code>]`) and exits with its exit code.
 */

export const CLI_ERROR_CODES = {
  OTELKIT_CLI_USAGE:
    'A command line argument is missing, unknown or malformed; `--help` shows the accepted form.',
  OTELKIT_CLI_SCENARIO_INVALID: 'The scenario file cannot be read or does not match the scenario schema.',
  OTELKIT_CLI_BASELINE_INVALID:
    'The `--compare` baseline file cannot be read or is not an `otelkit load --json` result.',
  OTELKIT_CLI_TARGET_UNREACHABLE:
    'The target or ops server could not be reached (connection refused, DNS, timeout).',
  OTELKIT_CLI_HTTP_STATUS:
    'The ops server answered with an unexpected HTTP status (401 bad token, 404 endpoint off, 409 busy).',
  OTELKIT_CLI_LOAD_FAILED: 'autocannon could not run the load test (bad URL, unsupported method).',
} as const

export type CliErrorCode = keyof typeof CLI_ERROR_CODES

/** Exit codes: 0 success, 1 a check failed (threshold, regression, doctor problem), 2 usage or runtime error. */
export const EXIT = { ok: 0, checkFailed: 1, error: 2 } as const

export class CliError extends Error {
  readonly code: CliErrorCode
  readonly exitCode: number
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options)
    this.name = 'CliError'
    this.code = code
    this.exitCode = options?.exitCode ?? EXIT.error
  }
}

export function usageError(message: string): CliError {
  return new CliError('OTELKIT_CLI_USAGE', message)
}
