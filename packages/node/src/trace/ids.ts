/**
 * Random trace and span ids (lowercase hex, never all zeros), drawn from a pooled buffer that
 * `crypto.randomFillSync` refills 4 KiB at a time: one native hex conversion per id, no
 * per-id random call.
 */
import { randomFillSync } from 'node:crypto'

const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let offset = POOL_BYTES

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_BYTES) {
      randomFillSync(pool)
      offset = 0
    }
    const start = offset
    offset += bytes
    for (let i = start; i < offset; i++) if (pool[i] !== 0) return pool.toString('hex', start, offset)
    // All zeros is the invalid id: draw again.
  }
}

/** A random 16-byte trace id as 32 hex characters. */
export function newTraceId(): string {
  return randomHex(16)
}

/** A random 8-byte span id as 16 hex characters. */
export function newSpanId(): string {
  return randomHex(8)
}
