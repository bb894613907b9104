/**
 * The built-in categorisation rules, as data: error codes (Node/libuv, undici, PostgreSQL
 * SQLSTATE, MySQL/MariaDB codes and errnos), error class names and HTTP status codes. The
 * order of application lives in `categorize.ts`.
 */
import type { ErrorCategory } from './types.js'

/** Node/libuv, undici and driver codes that mean "took too long". */
const TIMEOUT_CODES = [
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_HTTP_REQUEST_TIMEOUT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  // PostgreSQL 57014 query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout)
  '57014',
  '55P03',
  // MySQL/MariaDB: query execution interrupted by max_execution_time, lock wait timeout
  'ER_QUERY_TIMEOUT',
  '3024',
  'ER_LOCK_WAIT_TIMEOUT',
  '1205',
  'ER_STATEMENT_TIMEOUT',
  '1969',
]

/** Codes that mean "a dependency is unreachable or went away". */
const DEPENDENCY_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'PROTOCOL_CONNECTION_LOST',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // MySQL/MariaDB: too many connections, server gone away, lost connection, can't connect
  'ER_CON_COUNT_ERROR',
  '1040',
  'CR_SERVER_GONE_ERROR',
  '2006',
  'CR_SERVER_LOST',
  '2013',
  'CR_CONN_HOST_ERROR',
  '2003',
  'CR_CONNECTION_ERROR',
  '2002',
]

/** Codes that mean "the data was rejected". */
const VALIDATION_CODES = [
  // MySQL/MariaDB: duplicate entry, foreign keys, NOT NULL, out of range, bad value, too long
  'ER_DUP_ENTRY',
  '1062',
  'ER_ROW_IS_REFERENCED_2',
  '1451',
  'ER_NO_REFERENCED_ROW_2',
  '1452',
  'ER_BAD_NULL_ERROR',
  '1048',
  'ER_WARN_DATA_OUT_OF_RANGE',
  '1264',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  '1366',
  'ER_DATA_TOO_LONG',
  '1406',
  'ER_CHECK_CONSTRAINT_VIOLATED',
  '3819',
]

const CODE_CATEGORY = new Map<string, ErrorCategory>([
  ...TIMEOUT_CODES.map((c) => [c, 'timeout'] as const),
  ...DEPENDENCY_CODES.map((c) => [c, 'dependency'] as const),
  ...VALIDATION_CODES.map((c) => [c, 'validation'] as const),
])

/** Class names of errors whose meaning is clear whatever their code. */
const NAME_CATEGORY = new Map<string, ErrorCategory>([
  ['TimeoutError', 'timeout'],
  ['ConnectTimeoutError', 'timeout'],
  ['HeadersTimeoutError', 'timeout'],
  ['BodyTimeoutError', 'timeout'],
  ['KnexTimeoutError', 'timeout'],
  ['SequelizeConnectionError', 'dependency'],
  ['ValidationError', 'validation'],
  ['ZodError', 'validation'],
  ['ValiError', 'validation'],
  ['SequelizeValidationError', 'validation'],
  ['SequelizeUniqueConstraintError', 'validation'],
])

/** True for a PostgreSQL SQLSTATE: five characters of digits and capitals, at least one digit. */
export function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code) && /[0-9]/.test(code)
}

/** Category of an error code, or undefined when no rule knows it. */
export function categoryOfCode(code: string): ErrorCategory | undefined {
  const known = CODE_CATEGORY.get(code)
  if (known !== undefined) return known
  if (isSqlState(code)) {
    const cls = code.slice(0, 2)
    // 08 connection_exception; 22 data_exception; 23 integrity_constraint_violation
    if (cls === '08') return 'dependency'
    if (cls === '22' || cls === '23') return 'validation'
  }
  return undefined
}

/** Category of an error class name, or undefined. */
export function categoryOfName(name: string): ErrorCategory | undefined {
  return NAME_CATEGORY.get(name)
}

/** Category of an HTTP status answered by this service (server spans). */
export function categoryOfServerStatus(status: number): ErrorCategory | undefined {
  if (status === 408 || status === 504) return 'timeout'
  if (status === 400 || status === 422) return 'validation'
  if (status === 502) return 'dependency'
  if (status >= 400 && status < 500) return 'client'
  if (status >= 500) return 'server'
  return undefined
}

/** Category of an HTTP status received from an upstream (client spans). */
export function categoryOfClientStatus(status: number): ErrorCategory | undefined {
  if (status === 408 || status === 504) return 'timeout'
  if (status >= 400) return 'dependency'
  return undefined
}
