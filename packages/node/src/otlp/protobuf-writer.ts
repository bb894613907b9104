/**
 * A minimal protobuf wire-format writer into a growable buffer: varints, fixed64/fixed32,
 * length-delimited strings, bytes and nested messages. Enough for OTLP, without a schema
 * compiler or generated code.
 */

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
    this.varint((field << 3) | wire)
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
    this.buf.writeBigUInt64LE(BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]), this.pos)
    this.pos += 8
  }

  string(field: number, value: string): void {
    this.tag(field, 2)
    const len = Buffer.byteLength(value)
    this.varint(len)
    this.ensure(len)
    this.pos += this.buf.write(value, this.pos, 'utf8')
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
    this.pos += this.buf.write(hex, this.pos, len, 'hex')
  }

  /** Already-encoded bytes, copied as they are. */
  raw(value: Uint8Array): void {
    this.ensure(value.length)
    this.buf.set(value, this.pos)
    this.pos += value.length
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

function varintSize(n: number): number {
  if (n < 0x80) return 1
  if (n < 0x4000) return 2
  if (n < 0x200000) return 3
  return 4
}
