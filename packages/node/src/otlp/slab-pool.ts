/**
 * The slabs spans are encoded into (span-encoder.ts), reused once every span written into one has
 * been copied into an export request (span-queue.ts). A slab used to be dropped when full and left
 * to V8: its JavaScript object lives until the export (it is promoted to the old generation), so
 * its 256 KiB of native memory was freed only at the next full collection, and under load the
 * slabs of several seconds of spans piled up outside V8's heap, with a fresh allocation (and page
 * faults) for each. A slab is handed out again only when the count of its spans released equals
 * the count written; a slab whose spans are never all released (a batch dropped before its
 * request was encoded, a span whose encoding failed halfway) is never reused and is collected as
 * before. At most a few free slabs are kept.
 */

export class SlabPool {
  /** Size of a slab; a span larger than it gets a slab of its own, never pooled. */
  readonly slabBytes: number
  private readonly maxFree: number
  private readonly free: Buffer[] = []
  /** Spans written into each retired slab and not yet released (weak: see above). */
  private readonly outstanding = new WeakMap<Buffer, number>()
  /** The slab being written into, the spans written there and how many of them were released. */
  private current: Buffer | undefined
  private written = 0
  private released = 0

  constructor(slabBytes: number, maxFree: number) {
    this.slabBytes = slabBytes
    this.maxFree = maxFree
  }

  /** A slab of at least `size` bytes to write into from now on; the one before is retired. */
  next(size: number): Buffer {
    const previous = this.current
    if (previous !== undefined) {
      const left = this.written - this.released
      if (left === 0) this.recycle(previous)
      // A negative count means a release too many somewhere: the slab is not trusted again.
      else if (left > 0) this.outstanding.set(previous, left)
    }
    const slab =
      (size <= this.slabBytes ? this.free.pop() : undefined) ??
      Buffer.allocUnsafeSlow(Math.max(this.slabBytes, size))
    this.current = slab
    this.written = 0
    this.released = 0
    return slab
  }

  /** One more span is being written into the current slab. */
  wrote(): void {
    this.written++
  }

  /** `count` spans written into `slab` were copied out: none of them is read there again. */
  release(slab: Buffer, count: number): void {
    if (slab === this.current) {
      this.released += count
      return
    }
    const left = this.outstanding.get(slab)
    if (left === undefined) return
    if (left > count) {
      this.outstanding.set(slab, left - count)
      return
    }
    this.outstanding.delete(slab)
    if (left === count) this.recycle(slab)
  }

  /** Free slabs kept for reuse (for tests and diagnostics). */
  get freeCount(): number {
    return this.free.length
  }

  private recycle(slab: Buffer): void {
    if (slab.length === this.slabBytes && this.free.length < this.maxFree) this.free.push(slab)
  }
}
