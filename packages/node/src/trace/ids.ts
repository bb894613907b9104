/**
 * Random trace and span ids (lowercase hex, never all zeros), drawn from a pooled buffer of 4 KiB
 * that `crypto.randomFillSync` fills: no per-id random call, and the hex made in JavaScript from a
 * table of digit pairs with one `String.fromCharCode` (about a third of the time of
 * `Buffer#toString('hex')`, a native call, for an 8-byte id).
 * A used-up pool is replaced, never refilled, so the bytes of an id drawn from it stay as they
 * were: a span keeps where its ids are (`drawnPool`, `drawnAt`) and the OTLP encoder copies
 * them instead of converting the hex back.
 */
import { randomFillSync } from 'node:crypto'

const POOL_BYTES = 4096
let pool = Buffer.alloc(0)
/** `pool` as a DataView, for the OTLP encoder's four-byte copies. */
let poolView = new DataView(pool.buffer, pool.byteOffset, 0)
let offset = POOL_BYTES

/** The two hex digits' character codes of each byte value, at 2 × value. */
const HEX_CODES = new Uint8Array(512)
for (let value = 0; value < 256; value++) {
  HEX_CODES[2 * value] = '0123456789abcdef'.charCodeAt(value >> 4)
  HEX_CODES[2 * value + 1] = '0123456789abcdef'.charCodeAt(value & 15)
}
const fromCharCode = String.fromCharCode

/** 16 hex digits of the 8 bytes of `bytes` from `at`. */
function hex8(bytes: Uint8Array, at: number): string {
  const h = HEX_CODES
  const b0 = (bytes[at] as number) << 1
  const b1 = (bytes[at + 1] as number) << 1
  const b2 = (bytes[at + 2] as number) << 1
  const b3 = (bytes[at + 3] as number) << 1
  const b4 = (bytes[at + 4] as number) << 1
  const b5 = (bytes[at + 5] as number) << 1
  const b6 = (bytes[at + 6] as number) << 1
  const b7 = (bytes[at + 7] as number) << 1
  return fromCharCode(
    h[b0] as number,
    h[b0 + 1] as number,
    h[b1] as number,
    h[b1 + 1] as number,
    h[b2] as number,
    h[b2 + 1] as number,
    h[b3] as number,
    h[b3 + 1] as number,
    h[b4] as number,
    h[b4 + 1] as number,
    h[b5] as number,
    h[b5 + 1] as number,
    h[b6] as number,
    h[b6 + 1] as number,
    h[b7] as number,
    h[b7 + 1] as number,
  )
}

/**
 * 32 hex digits of the 16 bytes of `bytes` from `at`, as one flat string. Unrolled like hex8 on
 * purpose: two hex8 halves concatenated make a cons string, which with its first read (flattening)
 * cost more than the native conversion (320–430 against 250–290 ns in a loop).
 */
function hex16(bytes: Uint8Array, at: number): string {
  const h = HEX_CODES
  const b0 = (bytes[at] as number) << 1
  const b1 = (bytes[at + 1] as number) << 1
  const b2 = (bytes[at + 2] as number) << 1
  const b3 = (bytes[at + 3] as number) << 1
  const b4 = (bytes[at + 4] as number) << 1
  const b5 = (bytes[at + 5] as number) << 1
  const b6 = (bytes[at + 6] as number) << 1
  const b7 = (bytes[at + 7] as number) << 1
  const b8 = (bytes[at + 8] as number) << 1
  const b9 = (bytes[at + 9] as number) << 1
  const b10 = (bytes[at + 10] as number) << 1
  const b11 = (bytes[at + 11] as number) << 1
  const b12 = (bytes[at + 12] as number) << 1
  const b13 = (bytes[at + 13] as number) << 1
  const b14 = (bytes[at + 14] as number) << 1
  const b15 = (bytes[at + 15] as number) << 1
  return fromCharCode(
    h[b0] as number,
    h[b0 + 1] as number,
    h[b1] as number,
    h[b1 + 1] as number,
    h[b2] as number,
    h[b2 + 1] as number,
    h[b3] as number,
    h[b3 + 1] as number,
    h[b4] as number,
    h[b4 + 1] as number,
    h[b5] as number,
    h[b5 + 1] as number,
    h[b6] as number,
    h[b6 + 1] as number,
    h[b7] as number,
    h[b7 + 1] as number,
    h[b8] as number,
    h[b8 + 1] as number,
    h[b9] as number,
    h[b9 + 1] as number,
    h[b10] as number,
    h[b10 + 1] as number,
    h[b11] as number,
    h[b11 + 1] as number,
    h[b12] as number,
    h[b12 + 1] as number,
    h[b13] as number,
    h[b13 + 1] as number,
    h[b14] as number,
    h[b14 + 1] as number,
    h[b15] as number,
    h[b15 + 1] as number,
  )
}

/** The pool the last id was drawn from (its bytes never change), as a DataView. */
export let drawnPool: DataView = poolView
/** The offset of the last id drawn in `drawnPool`. */
export let drawnAt = 0

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_BYTES) {
      pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES))
      poolView = new DataView(pool.buffer, pool.byteOffset, POOL_BYTES)
      offset = 0
    }
    const start = offset
    offset += bytes
    for (let i = start; i < offset; i++) {
      if (pool[i] !== 0) {
        drawnPool = poolView
        drawnAt = start
        return bytes === 8 ? hex8(pool, start) : hex16(pool, start)
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
