/**
 * The stored form of an entry: a fixed 28-byte ASCII header, then the payload.
 *
 *   byte 0      format version '1'
 *   byte 1      flags digit: bit 0 compressed (gzip), bit 1 tagged JSON, bit 2 custom serializer
 *   bytes 2-14  staleAt: epoch ms (13 digits) after which the value is stale (soft expiry)
 *   bytes 15-27 hardAt: epoch ms (13 digits) after which the value is gone (Redis PX matches it)
 *
 * The fixed layout lets a Lua script soft-expire an entry in place (rewrite staleAt) without
 * decoding it, and lets a hit be decoded with no allocation beyond the value itself. Decoding trusts
 * nothing it reads: the header is validated byte by byte, and sizes are bounded (DecodeLimits)
 * before the work they would cost is done; a bad entry throws an EntryRejectedError.
 */
import { constants } from 'node:buffer'
import { gunzipSync, gzipSync } from 'node:zlib'
import { type DecodeLimits, EntryRejectedError, malformed, tooLarge } from './entry-limits.js'
import { jsonDecode, jsonEncode, type Serializer } from './serializer.js'

export const HEADER_BYTES = 28
export const FLAG_COMPRESSED = 1
export const FLAG_TAGGED = 2
export const FLAG_CUSTOM = 4

/** A decoded entry. */
export interface Entry {
  value: unknown
  staleAt: number
  hardAt: number
  /** Size of the stored form in bytes. */
  bytes: number
}

/**
 * Builds the stored bytes. Throws an EntryRejectedError (entry_too_large) when the entry could not
 * be read back under `limits` (payload over decodedBytes, a BigInt over bigIntDigits).
 */
export function encodeEntry(
  value: unknown,
  staleAt: number,
  hardAt: number,
  serializer: Serializer | undefined,
  compressAbove: number,
  limits: DecodeLimits,
): Buffer {
  let flags = 0
  let payload: Buffer
  if (serializer) {
    flags |= FLAG_CUSTOM
    const out = serializer.serialize(value)
    payload =
      typeof out === 'string'
        ? Buffer.from(out, 'utf8')
        : Buffer.from(out.buffer, out.byteOffset, out.byteLength)
  } else {
    const { text, tagged, bigIntDigits } = jsonEncode(value)
    if (bigIntDigits > limits.bigIntDigits)
      throw tooLarge(`a BigInt of ${bigIntDigits} digits, more than maxBigIntDigits (${limits.bigIntDigits})`)
    if (tagged) flags |= FLAG_TAGGED
    payload = Buffer.from(text, 'utf8')
  }
  if (payload.length > limits.decodedBytes)
    throw tooLarge(
      `a ${payload.length}-byte serialised value, more than maxDecodedBytes (${limits.decodedBytes})`,
    )
  if (compressAbove > 0 && payload.length > compressAbove) {
    payload = gzipSync(payload)
    flags |= FLAG_COMPRESSED
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length)
  out.write(`1${flags}${pad13(staleAt)}${pad13(hardAt)}`, 0, HEADER_BYTES, 'latin1')
  payload.copy(out, HEADER_BYTES)
  return out
}

/** Decodes stored bytes; throws an EntryRejectedError for anything that is not a valid entry within `limits`. */
export function decodeEntry(data: Buffer, serializer: Serializer | undefined, limits: DecodeLimits): Entry {
  if (data.length > limits.storedBytes)
    throw tooLarge(`${data.length} stored bytes, more than maxValueBytes (${limits.storedBytes})`)
  if (data.length < HEADER_BYTES) throw malformed(`${data.length} bytes, shorter than the header`)
  if (data[0] !== 0x31) throw malformed('unknown format version')
  const flags = data[1]! - 0x30
  if (!(flags >= 0 && flags <= 7)) throw malformed('the flags byte is not a digit from 0 to 7')
  const staleAt = readTimestamp(data, 2)
  const hardAt = readTimestamp(data, 15)
  if (staleAt < 0 || hardAt < 0) throw malformed('a timestamp is not 13 digits')
  if (staleAt > hardAt) throw malformed('staleAt is after hardAt')
  const custom = (flags & FLAG_CUSTOM) !== 0
  if (custom && !serializer) throw malformed('written with a custom serializer, and this cache has none')
  const tagged = (flags & FLAG_TAGGED) !== 0
  let value: unknown
  try {
    if (flags & FLAG_COMPRESSED) {
      const payload = inflate(data.subarray(HEADER_BYTES), limits.decodedBytes)
      value = custom ? serializer!.deserialize(payload) : jsonDecode(payload.toString('utf8'), tagged, limits)
    } else {
      if (data.length - HEADER_BYTES > limits.decodedBytes)
        throw tooLarge(
          `a ${data.length - HEADER_BYTES}-byte payload, more than maxDecodedBytes (${limits.decodedBytes})`,
        )
      // the hit path: no Buffer view for JSON, the text is read in place
      value = custom
        ? serializer!.deserialize(data.subarray(HEADER_BYTES))
        : jsonDecode(data.toString('utf8', HEADER_BYTES), tagged, limits)
    }
  } catch (error) {
    if (error instanceof EntryRejectedError) throw error
    throw malformed(`the payload does not decode: ${(error as Error)?.message}`, error)
  }
  return { value, staleAt, hardAt, bytes: data.length }
}

/** gunzip that stops at `max` output bytes: a gzip bomb costs the time to inflate `max` bytes. */
function inflate(payload: Buffer, max: number): Buffer {
  try {
    return gunzipSync(payload, { maxOutputLength: Math.min(max, constants.MAX_LENGTH) })
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge(`the payload inflates past maxDecodedBytes (${max})`)
    throw malformed(`the payload is not valid gzip: ${(error as Error)?.message}`, error)
  }
}

/** The 13 ASCII digits at `offset` as a number, or -1 when one of them is not a digit. */
function readTimestamp(data: Buffer, offset: number): number {
  let n = 0
  for (let i = offset; i < offset + 13; i++) {
    const digit = data[i]! - 0x30
    if (digit < 0 || digit > 9) return -1
    n = n * 10 + digit
  }
  return n
}

function pad13(n: number): string {
  return String(Math.max(0, Math.min(9_999_999_999_999, Math.round(n)))).padStart(13, '0')
}
