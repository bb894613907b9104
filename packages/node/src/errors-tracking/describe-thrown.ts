/**
 * Turns a thrown value (anything: an Error, a string, undefined) into an `ErrorDescription`.
 * A database error's message and stack head are scrubbed of the values they quote.
 */
import { safeErrorMessage, scrubStackHead } from '../privacy/db-errors.js'
import type { ErrorDescription, ErrorSource } from './types.js'

export function describeThrown(value: unknown, source: ErrorSource): ErrorDescription {
  if (value instanceof Error || (typeof value === 'object' && value !== null && 'message' in value)) {
    const e = value as Error & { code?: unknown }
    const ctorName = (value as { constructor?: { name?: unknown } }).constructor?.name
    // `name` when it says more than "Error" (DOMException's TimeoutError/AbortError, errors that
    // set their name), else the class name (`class NotFound extends Error {}` keeps name "Error")
    const type =
      typeof e.name === 'string' && e.name !== '' && e.name !== 'Error'
        ? e.name
        : typeof ctorName === 'string' && ctorName !== '' && ctorName !== 'Object'
          ? ctorName
          : 'Error'
    // DOMException's numeric `code` is a legacy constant, not an error code
    const isDomException = typeof DOMException === 'function' && value instanceof DOMException
    const code =
      typeof e.code === 'string' || (typeof e.code === 'number' && !isDomException)
        ? String(e.code)
        : undefined
    const raw = typeof e.message === 'string' ? e.message : String(e.message)
    const message = safeErrorMessage(value, raw)
    const stack = typeof e.stack === 'string' ? e.stack : undefined
    return {
      source,
      type,
      message,
      code,
      statusCode: undefined,
      route: undefined,
      stack: stack !== undefined && message !== raw ? scrubStackHead(stack) : stack,
      attributes: {},
      error: value,
    }
  }
  return {
    source,
    type: value === null ? 'null' : typeof value,
    message: safeString(value),
    code: undefined,
    statusCode: undefined,
    route: undefined,
    stack: undefined,
    attributes: {},
    error: value,
  }
}

function safeString(value: unknown): string {
  try {
    return String(value)
  } catch {
    return ''
  }
}
