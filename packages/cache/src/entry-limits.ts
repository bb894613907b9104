/**
 * Bounds on decoding a stored entry, so that a corrupt or hostile entry costs a bounded amount of
 * main-thread time and memory: its stored size, its size once inflated, and the digits of each
 * BigInt (decimal BigInt parsing is superlinear). An entry past a bound, or malformed, is rejected
 * with an EntryRejectedError; callers never see it: the read becomes a miss, counted in
 * otelkit.cache.errors with the rejection's `type` as `error.type`, and logged (rate-limited).
 */

/** The bounds one cache applies when it reads (and writes) entries. */
export interface DecodeLimits {
  /** Largest stored entry, in bytes (the cache's `maxValueBytes`). */
  readonly storedBytes: number
  /** Largest payload once inflated (gzip entries) or as stored, in bytes (`maxDecodedBytes`). */
  readonly decodedBytes: number
  /** Most decimal digits of one BigInt (`maxBigIntDigits`). */
  readonly bigIntDigits: number
}

/** The `error.type` of a rejected entry. */
export type RejectionType = 'entry_too_large' | 'entry_malformed'

/** Why a stored entry was not decoded. Internal: never thrown to callers. */
export class EntryRejectedError extends Error {
  readonly type: RejectionType
  constructor(type: RejectionType, detail: string, options?: { cause?: unknown }) {
    super(detail, options)
    this.name = 'EntryRejectedError'
    this.type = type
  }
}

export function tooLarge(detail: string): EntryRejectedError {
  return new EntryRejectedError('entry_too_large', detail)
}

export function malformed(detail: string, cause?: unknown): EntryRejectedError {
  return new EntryRejectedError('entry_malformed', detail, cause === undefined ? undefined : { cause })
}
