/**
 * Random trace and span ids (lowercase hex, never all zeros), drawn from a pooled buffer of 4 KiB
 * that `crypto.randomFillSync` fills: no per-id random call. The pool's hex is made 128 bytes at a
 * time, by Buffer's `hexSlice` (buffer-slice.ts), and an id is a slice of it: V8 makes a slice of 13 characters
 * or more a sliced string (a view of that hex, no characters copied), where making the 16 or 32
 * characters of each id one by one cost about 470 instructions per id. An id kept after its span
 * (an exemplar, an error group's last trace) keeps those 256 characters alive with it, not more.
 * A used-up pool is replaced, never refilled, so the bytes of an id drawn from it stay as they
 * were: a span keeps where its ids are (`drawnPool`, `drawnAt`) and the OTLP encoder copies
 * them instead of converting the hex back.
 */
import { randomFillSync } from 'node:crypto'
import { hexSlice } from '../buffer-slice.js'

const POOL_BYTES = 4096
/** Bytes of the pool made hex at a time, from the first id outside the last chunk. */
const HEX_CHUNK_BYTES = 128
let pool = Buffer.alloc(0)
/** The hex of `pool`'s bytes from `hexFrom` to `hexTo` (two characters per byte). */
let hex = ''
let hexFrom = 0
let hexTo = 0
/** `pool` as a DataView, for the OTLP encoder's four-byte copies. */
let poolView = new DataView(pool.buffer, pool.byteOffset, 0)
let offset = POOL_BYTES

/** The pool the last id was drawn from (its bytes never change), as a DataView. */
export let drawnPool: DataView = poolView
/** The offset of the last id drawn in `drawnPool`. */
export let drawnAt = 0

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_BYTES) {
      pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES))
      hexTo = 0 // no chunk of this pool yet
      poolView = new DataView(pool.buffer, pool.byteOffset, POOL_BYTES)
      offset = 0
    }
    const start = offset
    offset += bytes
    for (let i = start; i < offset; i++) {
      if (pool[i] !== 0) {
        drawnPool = poolView
        drawnAt = start
        // Ids are drawn in order from a pool, so only one past the chunk needs a new one.
        if (offset > hexTo) {
          hexFrom = start
          hexTo = Math.min(start + HEX_CHUNK_BYTES, POOL_BYTES)
          hex = hexSlice(pool, hexFrom, hexTo)
        }
        return hex.slice(2 * (start - hexFrom), 2 * (offset - hexFrom))
      }
    }
    // All zeros is the invalid id: draw again.
  }
}

/** The last trace id drawn, and where its bytes are. */
let lastTraceId = ''
let lastTracePool: DataView = poolView
let lastTraceAt = 0

/** A random 16-byte trace id as 32 hex characters. */
export function newTraceId(): string {
  const id = randomHex(16)
  lastTraceId = id
  lastTracePool = drawnPool
  lastTraceAt = drawnAt
  return id
}

/**
 * The trace-id ratio sampler's key of `traceId` (its four big-endian 32-bit words XORed, as the
 * sampler reads them from the hex) when it is the trace id drawn last, read from its bytes;
 * `undefined` for any other id (which is then decoded from its hex). A root span is sampled right
 * after its id is drawn, so it never decodes 32 characters; samplers that do not ask cost nothing.
 */
export function drawnTraceIdKey(traceId: string): number | undefined {
  if (traceId !== lastTraceId) return undefined
  const view = lastTracePool
  const at = lastTraceAt
  return (
    (view.getUint32(at) ^ view.getUint32(at + 4) ^ view.getUint32(at + 8) ^ view.getUint32(at + 12)) >>> 0
  )
}

/** A random 8-byte span id as 16 hex characters. */
export function newSpanId(): string {
  return randomHex(8)
}
