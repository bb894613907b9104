/**
 * Typed errors with stable codes. Every code is listed in `errors` (the one exported map) and
 * documented in the package README (a test keeps the two in step); a retired code is never reused.
 * Misuse (a bad TTL, key or value) throws; Redis trouble never does: the cache fails open.
 */

/** Every stable error code, with the fix-it hint that ends its message. */
export const ERROR_CODES = {
  OTELKIT_CACHE_INVALID_DURATION:
    'Pass a duration as a non-negative number of milliseconds or a string such as "500ms", "30s", "5m", "1h", "1d".',
  OTELKIT_CACHE_INVALID_KEY: 'Pass a non-empty string key of at most 1024 characters.',
  OTELKIT_CACHE_INVALID_OPTIONS: 'Check the option named in the message against the README option table.',
  OTELKIT_CACHE_NOT_SERIALIZABLE:
    'Cache plain data (objects, arrays, strings, numbers, booleans, null, Date, Buffer, BigInt): no functions, symbols or cycles; or pass a custom serializer.',
  OTELKIT_CACHE_LOADER_TIMEOUT:
    'The loader exceeded its hard timeout; raise `timeouts.hard` or make the loader faster (a stale value is served instead when one exists).',
  OTELKIT_CACHE_CLOSED:
    'The cache was closed with close(); create a new cache instead of reusing a closed one.',
} as const

export type CacheErrorCode = keyof typeof ERROR_CODES

/** Base class of every error @otelkit/cache throws on purpose; `code` is stable. */
export class CacheError extends Error {
  readonly code: CacheErrorCode
  constructor(code: CacheErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`${detail}. ${ERROR_CODES[code]}`, options)
    this.name = 'CacheError'
    this.code = code
  }
}

/** A TTL, stale TTL, timeout or other duration could not be parsed. */
export class InvalidDurationError extends CacheError {
  static readonly code = 'OTELKIT_CACHE_INVALID_DURATION'
  readonly value: unknown
  constructor(name: string, value: unknown) {
    super('OTELKIT_CACHE_INVALID_DURATION', `${name} is not a valid duration: ${safeString(value)}`)
    this.name = 'InvalidDurationError'
    this.value = value
  }
}

/** A key is empty, not a string, or too long. */
export class InvalidKeyError extends CacheError {
  static readonly code = 'OTELKIT_CACHE_INVALID_KEY'
  constructor(key: unknown) {
    super('OTELKIT_CACHE_INVALID_KEY', `invalid cache key ${safeString(key)}`)
    this.name = 'InvalidKeyError'
  }
}

/** An option of createCache() or of an HTTP/query helper is invalid. */
export class InvalidOptionsError extends CacheError {
  static readonly code = 'OTELKIT_CACHE_INVALID_OPTIONS'
  constructor(detail: string) {
    super('OTELKIT_CACHE_INVALID_OPTIONS', detail)
    this.name = 'InvalidOptionsError'
  }
}

/** A value could not be serialised (function, symbol, cycle, or the serializer threw). */
export class NotSerializableError extends CacheError {
  static readonly code = 'OTELKIT_CACHE_NOT_SERIALIZABLE'
  readonly key: string
  constructor(key: string, cause: unknown) {
    super('OTELKIT_CACHE_NOT_SERIALIZABLE', `the value for key "${key}" cannot be serialised`, { cause })
    this.name = 'NotSerializableError'
    this.key = key
  }
}

/** The loader ran past its hard timeout and no stale value could be served. */
export class LoaderTimeoutError extends CacheError {
  static readonly code = 'OTELKIT_CACHE_LOADER_TIMEOUT'
  readonly key: string
  constructor(key: string, timeoutMs: number) {
    super('OTELKIT_CACHE_LOADER_TIMEOUT', `the loader for key "${key}" did not finish within ${timeoutMs} ms`)
    this.name = 'LoaderTimeoutError'
    this.key = key
  }
}

/** An operation was called after close(). */
export class CacheClosedError extends CacheError {
  static readonly code = 'OTELKIT_CACHE_CLOSED'
  constructor(name: string) {
    super('OTELKIT_CACHE_CLOSED', `cache "${name}" is closed`)
    this.name = 'CacheClosedError'
  }
}

/** The one map of every error class, by code. */
export const errors = {
  OTELKIT_CACHE_INVALID_DURATION: InvalidDurationError,
  OTELKIT_CACHE_INVALID_KEY: InvalidKeyError,
  OTELKIT_CACHE_INVALID_OPTIONS: InvalidOptionsError,
  OTELKIT_CACHE_NOT_SERIALIZABLE: NotSerializableError,
  OTELKIT_CACHE_LOADER_TIMEOUT: LoaderTimeoutError,
  OTELKIT_CACHE_CLOSED: CacheClosedError,
} as const satisfies Record<CacheErrorCode, unknown>

function safeString(value: unknown): string {
  try {
    const s = typeof value === 'string' ? JSON.stringify(value) : String(value)
    return s.length > 80 ? `${s.slice(0, 77)}...` : s
  } catch {
    return typeof value
  }
}
