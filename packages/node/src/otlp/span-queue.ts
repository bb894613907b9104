/**
 * The export queue of OTLP-encoded spans, without an object per span: a span is encoded at its end
 * into the encoder's slab (span-encoder.ts), and the queue keeps where its bytes are (the slab, the
 * offset, the length) and its scope's number in parallel arrays used as a ring. A queued span used
 * to be a Buffer view and a small object, about 100 bytes that lived until the export, enough to
 * make V8 grow its young generation under load, and a view's creation cost about 400 instructions.
 * A batch is taken from the front and written into an `ExportTraceServiceRequest` in one pass;
 * then its spans are released, so their slabs can be reused (slab-pool.ts).
 */
import type { InstrumentationScope } from '@opentelemetry/core'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { encodeExportRequest, encodeScope } from './encode.js'
import { encodedSize, encodedSlab, encodeSpanInSlab, slabs as slabPool } from './span-encoder.js'

/** An instrumentation scope as the request carries it. */
export interface EncodedScope {
  /** The encoded `InstrumentationScope` message body. */
  readonly bytes: Buffer
  readonly schemaUrl: string | undefined
}

/** Spans taken from the queue, in order: span `i` is `sizes[i]` bytes of `slabs[i]` from `starts[i]`. */
export interface EncodedSpanBatch {
  readonly count: number
  readonly slabs: readonly Buffer[]
  readonly starts: Int32Array
  readonly sizes: Int32Array
  /** Each span's scope: its number in the queue's scope table. */
  readonly scopes: Int32Array
}

/** A batch of this queue's, and whether its spans were released (copied into a request). */
interface TakenBatch extends EncodedSpanBatch {
  released: boolean
}

/** Scopes compared by identity before the keyed lookup: a request's spans come from a few. */
const RECENT_SCOPES = 4
const INITIAL_CAPACITY = 64

export class EncodedSpanQueue {
  /** Every scope seen, by number; a number never changes, so queued spans keep theirs. */
  readonly scopeTable: EncodedScope[] = []
  private readonly scopeNumbers = new Map<string, number>()
  private readonly recentScopes: Array<InstrumentationScope | undefined> = new Array(RECENT_SCOPES).fill(
    undefined,
  )
  private readonly recentNumbers = new Int32Array(RECENT_SCOPES)
  private nextRecent = 0
  private slabs: Array<Buffer | undefined> = new Array(INITIAL_CAPACITY).fill(undefined)
  private starts = new Int32Array(INITIAL_CAPACITY)
  private sizes = new Int32Array(INITIAL_CAPACITY)
  private scopes = new Int32Array(INITIAL_CAPACITY)
  private head = 0
  /** Spans queued and not yet taken. */
  length = 0

  /** Encodes an ended span and queues its bytes; throws (queueing nothing) when it cannot be encoded. */
  push(span: ReadableSpan): void {
    const scope = this.scopeNumber(span.instrumentationScope)
    const start = encodeSpanInSlab(span)
    if (this.length === this.starts.length) this.grow()
    const at = (this.head + this.length) & (this.starts.length - 1)
    this.slabs[at] = encodedSlab
    this.starts[at] = start
    this.sizes[at] = encodedSize
    this.scopes[at] = scope
    this.length++
  }

  /** Removes up to `max` of the oldest spans, as one batch; their slabs are no longer held here. */
  take(max: number): EncodedSpanBatch {
    const count = Math.min(max, this.length)
    const slabs: Buffer[] = new Array(count)
    const starts = new Int32Array(count)
    const sizes = new Int32Array(count)
    const scopes = new Int32Array(count)
    const mask = this.starts.length - 1
    for (let i = 0; i < count; i++) {
      const at = (this.head + i) & mask
      slabs[i] = this.slabs[at] as Buffer
      this.slabs[at] = undefined
      starts[i] = this.starts[at] as number
      sizes[i] = this.sizes[at] as number
      scopes[i] = this.scopes[at] as number
    }
    this.head = (this.head + count) & mask
    this.length -= count
    const batch: TakenBatch = { count, slabs, starts, sizes, scopes, released: false }
    return batch
  }

  /**
   * The `ExportTraceServiceRequest` of a batch taken from this queue. The batch's spans are
   * released then: their bytes are read from the slabs no more (a second request of the same
   * batch encodes it again, from slabs that may hold other spans by then: it is not made).
   */
  request(resourceBytes: Buffer, batch: EncodedSpanBatch): Buffer {
    const taken = batch as TakenBatch
    if (taken.released)
      throw new Error('an export batch was encoded twice; its spans were released after the first')
    const request = encodeExportRequest(resourceBytes, this.scopeTable, batch)
    taken.released = true
    releaseSpans(batch)
    return request
  }

  private scopeNumber(scope: InstrumentationScope): number {
    const recent = this.recentScopes
    for (let i = 0; i < RECENT_SCOPES; i++) if (recent[i] === scope) return this.recentNumbers[i] as number
    const key = `${scope.name}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}`
    let number = this.scopeNumbers.get(key)
    if (number === undefined) {
      number = this.scopeTable.length
      this.scopeTable.push({ bytes: encodeScope(scope), schemaUrl: scope.schemaUrl || undefined })
      this.scopeNumbers.set(key, number)
    }
    const slot = this.nextRecent
    recent[slot] = scope
    this.recentNumbers[slot] = number
    this.nextRecent = (slot + 1) % RECENT_SCOPES
    return number
  }

  /** Doubles the ring (its capacity stays a power of two): the queued spans, taken out in order, go first. */
  private grow(): void {
    const capacity = this.starts.length * 2
    const queued = this.take(this.length)
    this.slabs = new Array<Buffer | undefined>(capacity).fill(undefined)
    for (let i = 0; i < queued.count; i++) this.slabs[i] = queued.slabs[i]
    this.starts = new Int32Array(capacity)
    this.starts.set(queued.starts)
    this.sizes = new Int32Array(capacity)
    this.sizes.set(queued.sizes)
    this.scopes = new Int32Array(capacity)
    this.scopes.set(queued.scopes)
    this.head = 0
    this.length = queued.count
  }
}

/** Releases a batch's spans, slab by slab: a batch's spans come in runs of the same slab. */
function releaseSpans(batch: EncodedSpanBatch): void {
  const { count, slabs } = batch
  let run: Buffer | undefined
  let runLength = 0
  for (let i = 0; i < count; i++) {
    const slab = slabs[i] as Buffer
    if (slab === run) {
      runLength++
      continue
    }
    if (run !== undefined) slabPool.release(run, runLength)
    run = slab
    runLength = 1
  }
  if (run !== undefined) slabPool.release(run, runLength)
}
