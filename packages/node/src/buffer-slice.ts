/**
 * Hex and latin1 text of a Buffer's bytes through Buffer's own per-encoding methods, not
 * `Buffer#toString(encoding)`. `toString` is one function for every encoding, shared with the
 * service and its libraries, and it calls the encoding's native slice from one site: while only
 * the service's drivers call it (utf8), that call is made straight to C++ from optimised code;
 * once otelkit called it with 'hex' (trace and span ids) the site saw two natives, and V8 made
 * every `toString` of the process through its generic call path instead (callgrind, Express + pg +
 * Redis app at 10 % sampling: pg-protocol's parsing of each field and row, about 8,000
 * instructions more per request). Calling `hexSlice` and `latin1Slice` here leaves that site as
 * the service's code alone makes it.
 */

interface EncodingSlices {
  hexSlice(start: number, end: number): string
  latin1Slice(start: number, end: number): string
}

const direct = typeof (Buffer.prototype as unknown as Partial<EncodingSlices>).hexSlice === 'function'

/** The hex of `buf`'s bytes from `start` to `end`. */
export function hexSlice(buf: Buffer, start: number, end: number): string {
  return direct ? (buf as unknown as EncodingSlices).hexSlice(start, end) : buf.toString('hex', start, end)
}

/** The latin1 text of `buf`'s bytes from `start` to `end`. */
export function latin1Slice(buf: Buffer, start: number, end: number): string {
  return direct
    ? (buf as unknown as EncodingSlices).latin1Slice(start, end)
    : buf.toString('latin1', start, end)
}
