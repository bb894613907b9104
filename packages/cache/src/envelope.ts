/**
 * The stored form of an entry: a fixed 28-byte ASCII header, then the payload.
 *
 *   byte 0      format version '1'
 *   byte 1      flags digit: bit 0 compressed (gzip), bit 1 tagged JSON, bit 2 custom serializer
 *   bytes 2-14  staleAt: epoch ms (13 digits) after which the value is stale (soft expiry)
 *   bytes 15-27 hardAt: epoch ms (13 digits) after which the value is gone (Redis PX matches it)
 *
 * The fixed layout lets a Lua script soft-expire an entry in place (rewrite staleAt) without
 * decoding it, and lets a hit be decoded with no allocation beyond the value itself.
 */
import { gunzipSync, gzipSync } from 'node:zlib'
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

/** Builds the stored bytes; returns undefined when the payload exceeds maxBytes. */
export function encodeEntry(
  value: unknown,
  staleAt: number,
  hardAt: number,
  serializer: Serializer | undefined,
  compressAbove: number,
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
    const { text, tagged } = jsonEncode(value)
    if (tagged) flags |= FLAG_TAGGED
    payload = Buffer.from(text, 'utf8')
  }
  if (compressAbove > 0 && payload.length > compressAbove) {
    payload = gzipSync(payload)
    flags |= FLAG_COMPRESSED
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length)
  out.write(`1${flags}${pad13(staleAt)}${pad13(hardAt)}`, 0, HEADER_BYTES, 'latin1')
  payload.copy(out, HEADER_BYTES)
  return out
}

/** Decodes stored bytes; returns undefined for anything that is not a valid entry. */
export function decodeEntry(data: Buffer, serializer: Serializer | undefined): Entry | undefined {
  if (data.length < HEADER_BYTES || data[0] !== 0x31) return undefined
  const flags = data[1]! - 0x30
  const staleAt = readNumber(data, 2)
  const hardAt = readNumber(data, 15)
  let value: unknown
  if (flags & FLAG_COMPRESSED) {
    const payload = gunzipSync(data.subarray(HEADER_BYTES))
    value =
      flags & FLAG_CUSTOM
        ? serializer!.deserialize(payload)
        : jsonDecode(payload.toString('utf8'), (flags & FLAG_TAGGED) !== 0)
  } else if (flags & FLAG_CUSTOM) {
    if (!serializer) return undefined
    value = serializer.deserialize(data.subarray(HEADER_BYTES))
  } else {
    value = jsonDecode(data.toString('utf8', HEADER_BYTES), (flags & FLAG_TAGGED) !== 0)
  }
  return { value, staleAt, hardAt, bytes: data.length }
}

function readNumber(data: Buffer, offset: number): number {
  let n = 0
  for (let i = offset; i < offset + 13; i++) n = n * 10 + (data[i]! - 0x30)
  return n
}

function pad13(n: number): string {
  return String(Math.max(0, Math.min(9_999_999_999_999, Math.round(n)))).padStart(13, '0')
}
