/**
 * A minimal protobuf wire-format writer into a growable buffer: varints, fixed64/fixed32,
 * length-delimited strings, bytes and nested messages. Enough for OTLP, without a schema
 * compiler or generated code. The span hot path writes nested messages whose size it computes
 * first (`utf8Length`, `varintSize`, `lengthPrefix`), with short ASCII strings, ids and times
 * written byte by byte: no closure, no BigInt and no native call per field.
 */

/** Strings up to this length are written byte by byte (a native call costs more below it). */
const SHORT_STRING = 64
/** utf8Length counts characters up to this length; longer strings ask Buffer.byteLength. */
const COUNTED_STRING = 16

/** UTF-8 length of `s` as Buffer.write encodes it (lone surrogates as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  const n = s.length
  if (n > COUNTED_STRING) return Buffer.byteLength(s, 'utf8')
  let len = n
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) len += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
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
  const seconds = time[0]
  const high16 = Math.floor(seconds / 0x10000)
  const low16 = seconds - high16 * 0x10000
  const y = high16 * 1e9
  const yHigh = Math.floor(y / 0x10000)
  const z = (y - yHigh * 0x10000) * 0x10000 + low16 * 1e9 + time[1]
  const zHigh = Math.floor(z / 0x100000000)
  pos = writeUint32LE(buf, pos, z - zHigh * 0x100000000)
  return writeUint32LE(buf, pos, yHigh + zHigh)
}

const HEX = new Uint8Array(128).fill(0)
for (let i = 0; i < 10; i++) HEX[48 + i] = i
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i
  HEX[97 + i] = 10 + i
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
    let v = value
    if (v < 0x80 && v >= 0) {
      this.buf[this.pos++] = v
      return
    }
    // Values up to 2^53 are exact; OTLP sizes and enums stay far below.
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.pos++] = v
  }

  tag(field: number, wire: number): void {
    const t = (field << 3) | wire
    if (t < 0x80) {
      this.ensure(1)
      this.buf[this.pos++] = t
    } else this.varint(t)
  }

  /** The tag and length of a length-delimited field whose body of `size` bytes follows. */
  lengthDelimited(field: number, size: number): void {
    this.tag(field, 2)
    this.varint(size)
    this.ensure(size)
  }

  /** A string of known UTF-8 length `len` (from utf8Length), without tag or length. */
  utf8(value: string, len: number): void {
    this.ensure(len)
    const n = value.length
    if (len === n && n <= SHORT_STRING) {
      const buf = this.buf
      let p = this.pos
      for (let i = 0; i < n; i++) buf[p++] = value.charCodeAt(i)
      this.pos = p
    } else {
      this.pos += this.buf.write(value, this.pos, len, 'utf8')
    }
  }

  /** An int64 field (two's complement for negatives, as protobuf encodes int64). */
  int64(field: number, value: number): void {
    this.tag(field, 0)
    if (value >= 0) {
      this.varint(value)
      return
    }
    let v = BigInt.asUintN(64, BigInt(Math.trunc(value)))
    this.ensure(10)
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80
      v >>= 7n
    }
    this.buf[this.pos++] = Number(v)
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
    this.buf.writeDoubleLE(value, this.pos)
    this.pos += 8
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
    const buf = this.buf
    let p = this.pos
    for (let i = 0; i < len; i++) {
      buf[p++] =
        (HEX[hex.charCodeAt(2 * i) & 0x7f] as number) * 16 + (HEX[hex.charCodeAt(2 * i + 1) & 0x7f] as number)
    }
    this.pos = p
  }

  /** Already-encoded bytes, copied as they are. */
  raw(value: Uint8Array): void {
    const n = value.length
    this.ensure(n)
    if (n <= SHORT_STRING) {
      const buf = this.buf
      let p = this.pos
      for (let i = 0; i < n; i++) buf[p++] = value[i] as number
      this.pos = p
      return
    }
    this.buf.set(value, this.pos)
    this.pos += n
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
