/**
 * A minimal protobuf wire-format writer: the primitives that write one value at a position of a
 * buffer and return the next one (`writeVarint`, `writeUtf8`, ...; the span hot path in
 * span-encoder.ts sizes a message first with `utf8Length`, `varintSize` and `lengthPrefix`, then
 * calls them directly), and `ProtobufWriter`, a growable buffer built on the same primitives with
 * length-delimited strings, bytes and nested messages. Enough for OTLP, without a schema compiler
 * or generated code. No BigInt.
 */

import { charCodeAt } from '../char-code.js'

/**
 * Strings and byte runs up to this length are copied in a loop; longer ones by one native call
 * (about 85 ns, the cost of copying some 16 characters one by one). utf8Length also counts
 * characters up to this length and asks Buffer.byteLength past it.
 */
const SHORT_RUN = 16

/** UTF-8 length of `s` as Buffer.write encodes it (lone surrogates as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  const n = s.length
  if (n > SHORT_RUN) return Buffer.byteLength(s, 'utf8')
  let len = n
  for (let i = 0; i < n; i++) {
    const c = charCodeAt.call(s, i)
    if (c < 0x80) continue
    if (c < 0x800) len += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (charCodeAt.call(s, i + 1) & 0xfc00) === 0xdc00) {
      len += 2
      i++
    } else len += 2
  }
  return len
}

/** Bytes of `n` as a varint (non-negative, up to 2^53). */
export function varintSize(n: number): number {
  if (n < 0x80) return 1
  if (n < 0x4000) return 2
  if (n < 0x200000) return 3
  if (n < 0x10000000) return 4
  let size = 5
  let v = Math.floor(n / 0x800000000)
  while (v > 0) {
    size++
    v = Math.floor(v / 0x80)
  }
  return size
}

/** Bytes of a length-delimited field with a one-byte tag and a body of `size` bytes. */
export function lengthPrefix(size: number): number {
  return 1 + varintSize(size) + size
}

/** Writes `v` as 4 little-endian bytes at `pos`; returns the next position. */
export function writeUint32LE(buf: Uint8Array, pos: number, v: number): number {
  buf[pos] = v & 0xff
  buf[pos + 1] = (v >>> 8) & 0xff
  buf[pos + 2] = (v >>> 16) & 0xff
  buf[pos + 3] = v >>> 24
  return pos + 4
}

/**
 * Writes an [seconds, nanoseconds] time as fixed64 unix nanoseconds at `pos`, in two exact
 * 32-bit halves (every partial product stays below 2^53, no BigInt); returns the next position.
 */
export function writeUnixNanos(buf: Uint8Array, pos: number, time: readonly [number, number]): number {
  return writeUnixNanosOf(buf, pos, time[0], time[1])
}

/** Seconds from which seconds × 1953125 is no longer exact in a double (the year 2115). */
const FAST_SECONDS_LIMIT = Math.floor(2 ** 53 / 1953125)

/*
 * seconds × 10^9 + nanos in two exact 32-bit halves. Between 1970 and 2115, seconds × 10^9 is
 * seconds × 1953125 × 2^9 with the first product exact in a double, so the halves take one
 * division by a power of two and a carry; other times are split in 16-bit parts. Two pure
 * functions, not one with two results: inlined side by side, their common terms are computed once.
 */

/** The low 32 bits of seconds × 10^9 + nanos. */
function unixNanosLow(seconds: number, nanos: number): number {
  if (seconds >= 0 && seconds < FAST_SECONDS_LIMIT) {
    const product = seconds * 1953125
    const low = (product - Math.floor(product / 0x800000) * 0x800000) * 512 + nanos
    return low >= 0x100000000 ? low - 0x100000000 : low
  }
  const high16 = Math.floor(seconds / 0x10000)
  const y = high16 * 1e9
  const z = (y - Math.floor(y / 0x10000) * 0x10000) * 0x10000 + (seconds - high16 * 0x10000) * 1e9 + nanos
  return z - Math.floor(z / 0x100000000) * 0x100000000
}

/** The high 32 bits of seconds × 10^9 + nanos. */
function unixNanosHigh(seconds: number, nanos: number): number {
  if (seconds >= 0 && seconds < FAST_SECONDS_LIMIT) {
    const product = seconds * 1953125
    const high = Math.floor(product / 0x800000)
    return (product - high * 0x800000) * 512 + nanos >= 0x100000000 ? high + 1 : high
  }
  const high16 = Math.floor(seconds / 0x10000)
  const y = high16 * 1e9
  const yHigh = Math.floor(y / 0x10000)
  const z = (y - yHigh * 0x10000) * 0x10000 + (seconds - high16 * 0x10000) * 1e9 + nanos
  return yHigh + Math.floor(z / 0x100000000)
}

/** writeUnixNanos of a time given as its seconds and nanoseconds. */
function writeUnixNanosOf(buf: Uint8Array, pos: number, seconds: number, nanos: number): number {
  pos = writeUint32LE(buf, pos, unixNanosLow(seconds, nanos))
  return writeUint32LE(buf, pos, unixNanosHigh(seconds, nanos))
}

/**
 * writeUnixNanos of epoch milliseconds, split into seconds and nanoseconds as the tracer's
 * `msToHrTime` splits them (the same nanoseconds as the span's `startTime` and `endTime`), without
 * making the pair.
 */
export function writeEpochMs(buf: Uint8Array, pos: number, ms: number): number {
  const seconds = Math.trunc(ms / 1000)
  const nanos = Math.round((ms - seconds * 1000) * 1e6)
  return nanos >= 1e9
    ? writeUnixNanosOf(buf, pos, seconds + 1, nanos - 1e9)
    : writeUnixNanosOf(buf, pos, seconds, nanos)
}

/**
 * The second writeEpochMsTo wrote last (index 0) and the two 32-bit halves of its unix nanoseconds
 * (1 and 2), in a typed array: numbers to the compiler, which keeps the DataView stores inline.
 */
const lastSecond = new Float64Array([Number.NaN, 0, 0])

/**
 * writeEpochMs into the bytes `view` covers, through the view: the two halves are two DataView
 * stores instead of eight byte stores (the span encoder writes two times per span). The halves of
 * the second are kept from the last call (a span's start and end, and the spans of a moment,
 * share their second): then only the nanoseconds are added, with their carry. The same bytes as
 * writeEpochMs.
 */
export function writeEpochMsTo(view: DataView, pos: number, ms: number): number {
  const seconds = Math.trunc(ms / 1000)
  const nanos = Math.round((ms - seconds * 1000) * 1e6)
  const s = nanos >= 1e9 ? seconds + 1 : seconds
  const n = nanos >= 1e9 ? nanos - 1e9 : nanos
  let low: number
  let high: number
  if (n < 0) {
    // Before 1970: the nanoseconds are negative, written from the whole value.
    low = unixNanosLow(s, n)
    high = unixNanosHigh(s, n)
  } else {
    const last = lastSecond
    if (s !== last[0]) {
      last[0] = s
      last[1] = unixNanosLow(s, 0)
      last[2] = unixNanosHigh(s, 0)
    }
    // n < 10^9 < 2^32: at most one carry into the high half.
    low = (last[1] as number) + n
    high = last[2] as number
    if (low >= 0x100000000) {
      low -= 0x100000000
      high += 1
    }
  }
  view.setUint32(pos, low, true)
  view.setUint32(pos + 4, high, true)
  return pos + 8
}

/** Writes a varint (non-negative, up to 2^53) at `pos`; returns the next position. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let v = value
  while (v > 0x7f) {
    buf[pos++] = (v % 0x80) | 0x80
    v = Math.floor(v / 0x80)
  }
  buf[pos++] = v
  return pos
}

/** Writes a negative safe integer as a 10-byte two's-complement varint (protobuf int64). */
export function writeNegativeInt64(buf: Uint8Array, pos: number, value: number): number {
  const high = Math.floor(value / 0x100000000)
  let lo = (value - high * 0x100000000) >>> 0
  let hi = high >>> 0
  for (let i = 0; i < 9; i++) {
    buf[pos++] = (lo & 0x7f) | 0x80
    lo = ((lo >>> 7) | (hi << 25)) >>> 0
    hi >>>= 7
  }
  buf[pos++] = lo & 0x01
  return pos
}

/** Buffer's direct writers (what `buf.write` calls after checking its arguments). */
interface DirectWriters {
  utf8Write(value: string, offset: number, length: number): number
  hexWrite(value: string, offset: number, length: number): number
}

/** Writes `s`, whose UTF-8 length is `length` (from utf8Length), at `pos`. */
export function writeUtf8(buf: Buffer, pos: number, s: string, length: number): number {
  const n = s.length
  if (length === n && n <= SHORT_RUN) {
    for (let i = 0; i < n; i++) buf[pos++] = charCodeAt.call(s, i)
    return pos
  }
  return pos + (buf as unknown as DirectWriters).utf8Write(s, pos, length)
}

/** Copies already-encoded bytes at `pos`. */
export function writeBytes(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length
  if (n <= SHORT_RUN) {
    for (let i = 0; i < n; i++) buf[pos++] = bytes[i] as number
    return pos
  }
  buf.set(bytes, pos)
  return pos + n
}

const HEX = new Uint8Array(128).fill(0)
for (let i = 0; i < 10; i++) HEX[48 + i] = i
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i
  HEX[97 + i] = 10 + i
}

/**
 * Writes the `n` bytes of a hex string (a trace or span id) at `pos`: one native call; an id
 * that is not hex (never one otelkit made) is written nibble by nibble, a non-hex digit as 0.
 */
export function writeHex(buf: Buffer, pos: number, hex: string, n: number): number {
  if ((buf as unknown as DirectWriters).hexWrite(hex, pos, n) < n) {
    for (let i = 0; i < n; i++) {
      buf[pos + i] =
        (HEX[hex.charCodeAt(2 * i) & 0x7f] as number) * 16 + (HEX[hex.charCodeAt(2 * i + 1) & 0x7f] as number)
    }
  }
  return pos + n
}

/** Writes a double as 8 little-endian bytes at `pos`. */
export function writeDoubleLE(buf: Buffer, pos: number, value: number): number {
  return buf.writeDoubleLE(value, pos)
}

export class ProtobufWriter {
  private buf: Buffer
  private pos = 0

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize)
  }

  get length(): number {
    return this.pos
  }

  reset(): void {
    this.pos = 0
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  varint(value: number): void {
    this.ensure(10)
    this.pos = writeVarint(this.buf, this.pos, value)
  }

  tag(field: number, wire: number): void {
    const t = (field << 3) | wire
    if (t < 0x80) {
      this.ensure(1)
      this.buf[this.pos++] = t
    } else this.varint(t)
  }

  /** A string of known UTF-8 length `len` (from utf8Length), without tag or length. */
  utf8(value: string, len: number): void {
    this.ensure(len)
    this.pos = writeUtf8(this.buf, this.pos, value, len)
  }

  /** An int64 field (two's complement for negatives, as protobuf encodes int64). */
  int64(field: number, value: number): void {
    this.tag(field, 0)
    if (value >= 0) {
      this.varint(value)
      return
    }
    this.ensure(10)
    this.pos = writeNegativeInt64(this.buf, this.pos, value)
  }

  uint32(field: number, value: number): void {
    this.tag(field, 0)
    this.varint(value)
  }

  bool(field: number, value: boolean): void {
    this.tag(field, 0)
    this.varint(value ? 1 : 0)
  }

  double(field: number, value: number): void {
    this.tag(field, 1)
    this.ensure(8)
    this.pos = writeDoubleLE(this.buf, this.pos, value)
  }

  fixed32(field: number, value: number): void {
    this.tag(field, 5)
    this.ensure(4)
    this.buf.writeUInt32LE(value >>> 0, this.pos)
    this.pos += 4
  }

  /** fixed64 from an [seconds, nanoseconds] time as unix nanoseconds. */
  fixed64Time(field: number, time: readonly [number, number]): void {
    this.tag(field, 1)
    this.ensure(8)
    this.pos = writeUnixNanos(this.buf, this.pos, time)
  }

  string(field: number, value: string): void {
    this.tag(field, 2)
    const len = utf8Length(value)
    this.varint(len)
    this.utf8(value, len)
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2)
    this.varint(value.length)
    this.raw(value)
  }

  /** Hex string (trace/span id) written as bytes. */
  hexBytes(field: number, hex: string): void {
    this.tag(field, 2)
    const len = hex.length >>> 1
    this.varint(len)
    this.ensure(len)
    this.pos = writeHex(this.buf, this.pos, hex, len)
  }

  /** Already-encoded bytes, copied as they are. */
  raw(value: Uint8Array): void {
    this.ensure(value.length)
    this.pos = writeBytes(this.buf, this.pos, value)
  }

  /** Writes a nested message: `body` writes into this writer, the length is patched in after. */
  message(field: number, body: () => void): void {
    this.tag(field, 2)
    // Reserve 4 bytes for the length (messages here stay below 2^28 bytes), then compact.
    this.ensure(4)
    const lenPos = this.pos
    this.pos += 4
    const start = this.pos
    body()
    const len = this.pos - start
    const lenBytes = varintSize(len)
    if (lenBytes !== 4) {
      this.buf.copy(this.buf, lenPos + lenBytes, start, this.pos)
      this.pos -= 4 - lenBytes
    }
    let v = len
    let p = lenPos
    for (let i = 0; i < lenBytes - 1; i++) {
      this.buf[p++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    this.buf[p] = v
  }

  /** A copy of what was written. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos))
  }
}
