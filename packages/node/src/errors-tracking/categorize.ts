/**
 * Decides the `error.category` of one failure: the user's classifier first, then the built-in
 * rules in a fixed order: unhandled (uncaught exception, unhandled rejection) > error code >
 * error class name > HTTP status > where it was observed (client span: dependency; server span:
 * server).
 */
import { rateLimitedLogger } from '../logger.js'
import { categoryOfClientStatus, categoryOfCode, categoryOfName, categoryOfServerStatus } from './rules.js'
import { ERROR_CATEGORIES, type ErrorCategory, type ErrorClassifier, type ErrorDescription } from './types.js'

const warn = rateLimitedLogger()
const VALID = new Set<string>(ERROR_CATEGORIES)

/** The built-in rules alone. */
export function builtinCategory(error: ErrorDescription): ErrorCategory {
  if (error.source === 'uncaught-exception' || error.source === 'unhandled-rejection') return 'unhandled'
  for (const candidate of [error.code, error.type]) {
    if (candidate === undefined) continue
    const byCode = categoryOfCode(candidate)
    if (byCode !== undefined) return byCode
  }
  const byName = categoryOfName(error.type)
  if (byName !== undefined) return byName
  if (error.statusCode !== undefined) {
    const byStatus =
      error.source === 'client'
        ? categoryOfClientStatus(error.statusCode)
        : categoryOfServerStatus(error.statusCode)
    if (byStatus !== undefined) return byStatus
  }
  return error.source === 'client' ? 'dependency' : 'server'
}

/** The user's classifier, when given and when it answers with a valid category; then the built-in rules. */
export function categorize(error: ErrorDescription, classifier: ErrorClassifier | undefined): ErrorCategory {
  if (classifier !== undefined) {
    try {
      const decided = classifier(error)
      if (decided !== undefined) {
        if (VALID.has(decided)) return decided
        warn(
          'warn',
          'classifier-invalid',
          `classifyError returned ${JSON.stringify(decided)}, not a category; using the built-in rules`,
        )
      }
    } catch (e) {
      warn(
        'warn',
        'classifier-threw',
        `classifyError threw (${(e as Error)?.message ?? String(e)}); using the built-in rules`,
      )
    }
  }
  return builtinCategory(error)
}
