/** Settings of error tracking (errors-tracking/): classification, groups kept, the crash flush. */
import type { ErrorCategory, ErrorDescription } from '../../errors-tracking/types.js'
import { setting } from './define.js'
import { codeOnly, duration, integer } from './kinds.js'

/** Your own classification rule, run before the built-in ones. */
export type ErrorClassifierOption = (error: ErrorDescription) => ErrorCategory | undefined

export const ERRORS_SETTINGS = {
  classifyError: setting(
    codeOnly<ErrorClassifierOption>(
      (v) => typeof v === 'function',
      'expected a function (error) => category | undefined',
    ),
    { variables: [] },
  ),
  errorGroupsMax: setting(integer(1, 100_000), {
    variables: [
      {
        name: 'OTELKIT_ERROR_GROUPS_MAX',
        example: '2000',
        doc: 'error groups kept for `/debug/errors` (LRU), see [errors](docs/errors.md)',
      },
    ],
    default: 500,
  }),
  errorCrashFlushTimeoutMs: setting(duration(0, 60_000), {
    variables: [
      {
        name: 'OTELKIT_ERROR_CRASH_FLUSH_TIMEOUT',
        example: '1s',
        doc: 'time allowed to export an uncaught exception before the process exits',
      },
    ],
    default: 2000,
  }),
}
