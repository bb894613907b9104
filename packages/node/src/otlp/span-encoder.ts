/**
 * The span hot path of the OTLP encoder: one ended span to its protobuf `Span` message body in
 * two passes. The first sizes every field (string lengths and encoded keys kept in reused
 * scratch arrays), the second writes straight into a slab of pooled memory with the position
 * passed along in locals: no per-field method call, no bounds growth, no copy. The export queue
 * keeps where the bytes are (span-queue.ts); a slab is reused once every span written there has
 * been copied into an export request (slab-pool.ts). Events, links and attribute values other than strings, numbers and booleans are
 * rare: they are encoded by the general writer (protobuf-writer.ts) and copied in. What repeats
 * is encoded once and copied afterwards: span names, attribute keys, repeated attribute values, a
 * repeating span's whole attribute block (attribute-blocks.ts), and the ids otelkit drew (their
 * bytes, not hex).
 */
import type { AttributeValue } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { OtelkitSpan } from '../trace/span.js'
import { NameBlocks } from './attribute-blocks.js'
import {
  lengthPrefix,
  ProtobufWriter,
  utf8Length,
  varintSize,
  writeBytes,
  writeDoubleLE,
  writeEpochMsTo,
  writeHex,
  writeNegativeInt64,
  writeUint32LE,
  writeUnixNanos,
  writeUtf8,
  writeVarint,
} from './protobuf-writer.js'
import { SlabPool } from './slab-pool.js'

// ---- slab -------------------------------------------------------------------------------------

const SLAB_BYTES = 256 * 1024
/** Free slabs kept: 2 MiB, more than the spans of one export batch of 512 take. */
const MAX_FREE_SLABS = 8
/** The slabs, reused once their spans are in an export request (release them with `releaseSpans`). */
export const slabs = new SlabPool(SLAB_BYTES, MAX_FREE_SLABS)
let slab = slabs.next(SLAB_BYTES)
/** `slab` as a DataView, for four-byte writes. */
let slabView = new DataView(slab.buffer, slab.byteOffset, slab.byteLength)
let slabUsed = 0

/**
 * Reserves `size` bytes of the current slab (a new one when it is full) for one span; returns
 * their offset.
 */
function reserve(size: number): number {
  if (slabUsed + size > slab.length) {
    slab = slabs.next(size)
    slabView = new DataView(slab.buffer, slab.byteOffset, slab.byteLength)
    slabUsed = 0
  }
  slabs.wrote()
  const at = slabUsed
  slabUsed += size
  return at
}

/** A length-delimited hex id (tag, length, bytes). */
function writeHexField(buf: Buffer, pos: number, tag: number, hex: string): number {
  const n = hex.length >>> 1
  buf[pos++] = tag
  return writeHex(buf, writeVarint(buf, pos, n), hex, n)
}

/**
 * A length-delimited id of `n` bytes (8 or 16) copied four bytes at a time from where otelkit drew
 * it (`pool`, from `at`) into the slab at `pos`: about 100 instructions, where converting its hex
 * back was a native call of about 900 and a byte loop about 20 per byte (callgrind). Longer runs
 * are not copied this way: at 20 to 60 bytes, four-byte DataView copies cost as much as
 * `TypedArray#set`.
 */
function writeIdBytes(pos: number, tag: number, pool: DataView, at: number, n: number): number {
  slab[pos++] = tag
  slab[pos++] = n
  const view = slabView
  for (let i = 0; i < n; i += 4) view.setUint32(pos + i, pool.getUint32(at + i))
  return pos + n
}

// ---- attribute keys -----------------------------------------------------------------------------

const NOT_SEEN = Symbol('not seen')

/**
 * The last few values seen at one place (an attribute key, the span name), each with the encoded
 * field made for it, if any yet; a new value takes the oldest one's slot.
 */
class RecentFields {
  private readonly values: unknown[]
  private readonly fields: Array<Buffer | undefined>
  private next = 0

  constructor(size: number) {
    this.values = new Array<unknown>(size).fill(NOT_SEEN)
    this.fields = new Array<Buffer | undefined>(size).fill(undefined)
  }

  /** The slot of `value`, or -1. */
  slotOf(value: unknown): number {
    const values = this.values
    for (let slot = 0; slot < values.length; slot++) if (values[slot] === value) return slot
    return -1
  }

  fieldAt(slot: number): Buffer | undefined {
    return this.fields[slot]
  }

  setField(slot: number, field: Buffer): void {
    this.fields[slot] = field
  }

  /** Keeps `value` (with its field, when it already has one) in the oldest slot; returns that slot. */
  add(value: unknown, field: Buffer | undefined): number {
    const next = this.next
    this.values[next] = value
    this.fields[next] = field
    this.next = (next + 1) % this.values.length
    return next
  }
}

/**
 * What is kept per attribute key (keys repeat from span to span): its encoded `key` field (tag,
 * length, UTF-8), and for the value, which mostly repeats too (method, scheme, server address,
 * database system, statement, route): the key's last few values, and once a value comes a second
 * time while it is still among them, its whole encoded field (tag 9 of Span), copied as it is
 * afterwards. Several values per key, because spans of different kinds alternate on the same keys
 * (a request's pg and Redis spans both write `db.system.name`, `db.query.text`, `server.port`):
 * with only the last value kept, none of those was ever cached. A value that changes every time
 * (a path, a client port) never gets bytes cached. Bounded in keys, values per key and string
 * length.
 */
interface KeyEntry {
  keyField: Uint8Array
  /** The key's last RECENT_VALUES values; a field once a value came twice. */
  recent: RecentFields
}
const keyEntries = new Map<string, KeyEntry>()
const MAX_KEYS = 4096
const RECENT_VALUES = 4
const MAX_REPEATED_STRING = 256
const SPAN_ATTRIBUTE_TAG = 0x4a

function keyEntry(key: string): KeyEntry {
  let entry = keyEntries.get(key)
  if (entry === undefined) {
    const length = utf8Length(key)
    const keyField = Buffer.allocUnsafe(lengthPrefix(length))
    keyField[0] = 0x0a
    writeUtf8(keyField, writeVarint(keyField, 1, length), key, length)
    entry = { keyField, recent: new RecentFields(RECENT_VALUES) }
    if (keyEntries.size < MAX_KEYS) keyEntries.set(key, entry)
  }
  return entry
}

// ---- pass 1 scratch: one entry per attribute of the span being encoded --------------------------

const KIND_STRING = 1
const KIND_TRUE = 2
const KIND_FALSE = 3
const KIND_INT = 4
const KIND_NEGATIVE_INT = 5
const KIND_DOUBLE = 6
/** Any other value: `scratchEncoded` holds the whole KeyValue body. */
const KIND_ENCODED = 7
/** A repeated attribute: `scratchEncoded` holds its whole field, tag included. */
const KIND_CACHED = 8

const scratchKeys: Uint8Array[] = []
const scratchKinds: number[] = []
const scratchValues: unknown[] = []
/** The AnyValue body size (KIND_ENCODED: the KeyValue body size). */
const scratchValueSizes: number[] = []
/** UTF-8 length of a string value. */
const scratchLengths: number[] = []
const scratchEncoded: Array<Buffer | undefined> = []

/** Entries the last sizeAttributes call filled. */
let scratchCount = 0

/** Sizes the attributes into the scratch arrays from `start` (count in scratchCount); returns their bytes. */
function sizeAttributes(attributes: Record<string, unknown>, start: number): number {
  let i = start
  let total = 0
  for (const key in attributes) {
    const value = attributes[key]
    if (value === undefined || value === null) continue
    const entry = keyEntry(key)
    const slot = entry.recent.slotOf(value)
    const cached = slot < 0 ? undefined : entry.recent.fieldAt(slot)
    if (cached !== undefined) {
      scratchKinds[i] = KIND_CACHED
      scratchEncoded[i] = cached
      total += cached.length
      i++
      continue
    }
    let kind: number
    let valueSize: number
    let length = 0
    switch (typeof value) {
      case 'string':
        kind = KIND_STRING
        length = utf8Length(value)
        valueSize = lengthPrefix(length)
        break
      case 'boolean':
        kind = value ? KIND_TRUE : KIND_FALSE
        valueSize = 2
        break
      case 'number':
        if (Number.isSafeInteger(value)) {
          if (value >= 0) {
            kind = KIND_INT
            valueSize = 1 + varintSize(value)
          } else {
            kind = KIND_NEGATIVE_INT
            valueSize = 11
          }
        } else {
          kind = KIND_DOUBLE
          valueSize = 9
        }
        break
      default:
        kind = KIND_ENCODED
        valueSize = -1
    }
    let entrySize: number
    if (kind === KIND_ENCODED) {
      const encoded = encodeGeneralKeyValue(key, value as AttributeValue)
      scratchEncoded[i] = encoded
      entrySize = lengthPrefix(encoded.length)
      valueSize = encoded.length
    } else {
      scratchKeys[i] = entry.keyField
      entrySize = lengthPrefix(entry.keyField.length + lengthPrefix(valueSize))
    }
    scratchKinds[i] = kind
    scratchValues[i] = value
    scratchValueSizes[i] = valueSize
    scratchLengths[i] = length
    if (kind !== KIND_ENCODED) rememberRepeated(entry, slot, value, i, entrySize)
    total += entrySize
    i++
  }
  scratchCount = i
  return total
}

/**
 * Notes a scalar attribute's value (`slot`: where it already is among the key's recent values, or
 * -1); the second time it is seen there, encodes its field once into its own buffer and turns
 * scratch entry `i` into that cached field.
 */
function rememberRepeated(entry: KeyEntry, slot: number, value: unknown, i: number, entrySize: number): void {
  if (typeof value === 'string' && value.length > MAX_REPEATED_STRING) return
  if (slot < 0) {
    entry.recent.add(value, undefined)
    return
  }
  const field = Buffer.allocUnsafeSlow(entrySize)
  writeAttributes(field, 0, SPAN_ATTRIBUTE_TAG, i, i + 1)
  entry.recent.setField(slot, field)
  scratchKinds[i] = KIND_CACHED
  scratchEncoded[i] = field
}

/** Writes scratch entries [from, to) as repeated KeyValue fields with `tag`. */
function writeAttributes(buf: Buffer, pos: number, tag: number, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const kind = scratchKinds[i] as number
    const valueSize = scratchValueSizes[i] as number
    if (kind === KIND_CACHED) {
      pos = writeBytes(buf, pos, scratchEncoded[i] as Buffer)
      scratchEncoded[i] = undefined
      continue
    }
    buf[pos++] = tag
    if (kind === KIND_ENCODED) {
      const encoded = scratchEncoded[i] as Buffer
      scratchEncoded[i] = undefined
      pos = writeVarint(buf, pos, encoded.length)
      pos = writeBytes(buf, pos, encoded)
      continue
    }
    const key = scratchKeys[i] as Uint8Array
    pos = writeVarint(buf, pos, key.length + lengthPrefix(valueSize))
    pos = writeBytes(buf, pos, key)
    buf[pos++] = 0x12 // KeyValue.value
    pos = writeVarint(buf, pos, valueSize)
    const value = scratchValues[i]
    scratchValues[i] = undefined
    switch (kind) {
      case KIND_STRING: {
        const length = scratchLengths[i] as number
        buf[pos++] = 0x0a
        pos = writeVarint(buf, pos, length)
        pos = writeUtf8(buf, pos, value as string, length)
        break
      }
      case KIND_TRUE:
        buf[pos++] = 0x10
        buf[pos++] = 1
        break
      case KIND_FALSE:
        buf[pos++] = 0x10
        buf[pos++] = 0
        break
      case KIND_INT:
        buf[pos++] = 0x18
        pos = writeVarint(buf, pos, value as number)
        break
      case KIND_NEGATIVE_INT:
        buf[pos++] = 0x18
        pos = writeNegativeInt64(buf, pos, value as number)
        break
      default:
        buf[pos++] = 0x21
        pos = writeDoubleLE(buf, pos, value as number)
    }
  }
  return pos
}

// ---- the general path for the rare parts --------------------------------------------------------

function writeAnyValue(w: ProtobufWriter, value: AttributeValue | undefined): void {
  switch (typeof value) {
    case 'string':
      w.string(1, value)
      return
    case 'boolean':
      w.bool(2, value)
      return
    case 'number':
      if (Number.isSafeInteger(value)) w.int64(3, value)
      else w.double(4, value)
      return
    default:
      if (Array.isArray(value)) {
        w.message(5, () => {
          for (const item of value) w.message(1, () => writeAnyValue(w, item as AttributeValue))
        })
      }
  }
}

const general = new ProtobufWriter(1024)

/** A KeyValue body for an array (or any value the fast path does not take). */
function encodeGeneralKeyValue(key: string, value: AttributeValue): Buffer {
  general.reset()
  general.string(1, key)
  general.message(2, () => writeAnyValue(general, value))
  return general.toBuffer()
}

/** Attributes as repeated KeyValue messages of `field`, through the general writer. */
export function writeGeneralAttributes(
  w: ProtobufWriter,
  field: number,
  attributes: Record<string, unknown>,
): void {
  for (const key in attributes) {
    const value = attributes[key]
    if (value === undefined || value === null) continue
    w.message(field, () => {
      w.string(1, key)
      w.message(2, () => writeAnyValue(w, value as AttributeValue))
    })
  }
}

/** The span's events and links as their repeated fields (11 and 13), or undefined when none. */
function encodeEventsAndLinks(span: ReadableSpan): Buffer | undefined {
  if (span.events.length === 0 && span.links.length === 0) return undefined
  const w = general
  w.reset()
  for (const event of span.events) {
    w.message(11, () => {
      w.fixed64Time(1, event.time)
      w.string(2, event.name)
      if (event.attributes) writeGeneralAttributes(w, 3, event.attributes)
      if (event.droppedAttributesCount) w.uint32(4, event.droppedAttributesCount)
    })
  }
  for (const link of span.links) {
    w.message(13, () => {
      w.hexBytes(1, link.context.traceId)
      w.hexBytes(2, link.context.spanId)
      const state = link.context.traceState?.serialize()
      if (state) w.string(3, state)
      if (link.attributes) writeGeneralAttributes(w, 4, link.attributes)
      if (link.droppedAttributesCount) w.uint32(5, link.droppedAttributesCount)
      w.fixed32(6, (link.context.traceFlags & 0xff) | 0x100 | (link.context.isRemote ? 0x200 : 0))
    })
  }
  return w.toBuffer()
}

// ---- span names ----------------------------------------------------------------------------------

/**
 * The encoded `name` fields (tag, length, UTF-8) of the last eight span names: names repeat (`GET
 * /items/:id`, `SELECT items`, `get`) and alternate between the spans of one request, so a name is
 * encoded once and its field copied afterwards. Names longer than MAX_REPEATED_STRING are not kept.
 */
const RECENT_NAMES = 8
const recentNames = new RecentFields(RECENT_NAMES)
/** The whole attribute blocks of the recent names' spans (attribute-blocks.ts), by name slot. */
const nameBlocks = new NameBlocks(RECENT_NAMES)
/** The slot among the recent names of the name nameField returned last, or -1. */
let nameSlot = -1

/** The encoded `name` field of a span name (its slot among the recent names in `nameSlot`). */
function nameField(name: string): Buffer {
  const slot = recentNames.slotOf(name)
  const kept = slot < 0 ? undefined : recentNames.fieldAt(slot)
  nameSlot = slot
  if (kept !== undefined) return kept
  const length = utf8Length(name)
  const field = Buffer.allocUnsafeSlow(lengthPrefix(length))
  field[0] = 0x2a
  writeUtf8(field, writeVarint(field, 1, length), name, length)
  if (name.length <= MAX_REPEATED_STRING) {
    nameSlot = recentNames.add(name, field)
    nameBlocks.reset(nameSlot)
  } else nameSlot = -1
  return field
}

// ---- the span ------------------------------------------------------------------------------------

/** Bytes of a trace or span id field (16 or 8 bytes from its hex). */
function idField(hex: string): number {
  return lengthPrefix(hex.length >>> 1)
}

function countField(value: number): number {
  return value ? 1 + varintSize(value) : 0
}

/** The slab the last span was encoded into (encodeSpanInSlab), and that span's length there. */
export let encodedSlab: Buffer = slab
export let encodedSize = 0

/**
 * Encodes one ended span as an OTLP `Span` message body (without its field tag) into the slab;
 * returns its offset there (the slab is `encodedSlab`, the length `encodedSize`).
 */
export function encodeSpanInSlab(span: ReadableSpan): number {
  const ctx = span.spanContext()
  const parent = span.parentSpanContext
  const traceState = ctx.traceState?.serialize()
  const traceStateLength = traceState ? utf8Length(traceState) : 0
  const name = nameField(span.name)
  const slot = nameSlot
  const kind = span.kind + 1 // OTLP SpanKind is the API's kind + 1 (0 is UNSPECIFIED)
  const attributes = span.attributes as Record<string, unknown>
  const block = slot < 0 ? undefined : nameBlocks.find(slot, attributes)
  const attributesBytes = block === undefined ? sizeAttributes(attributes, 0) : block.bytes.length
  const attributeCount = scratchCount
  const eventsAndLinks = encodeEventsAndLinks(span)
  const status = span.status
  const statusMessage = status.message
  const statusMessageLength = statusMessage ? utf8Length(statusMessage) : 0
  const statusCode = status.code
  const statusSize = (statusMessage ? lengthPrefix(statusMessageLength) : 0) + countField(statusCode)

  const size =
    idField(ctx.traceId) +
    idField(ctx.spanId) +
    (traceState ? lengthPrefix(traceStateLength) : 0) +
    (parent?.spanId ? idField(parent.spanId) : 0) +
    name.length +
    2 + // kind
    18 + // start and end times
    attributesBytes +
    countField(span.droppedAttributesCount) +
    (eventsAndLinks ? eventsAndLinks.length : 0) +
    countField(span.droppedEventsCount) +
    countField(span.droppedLinksCount) +
    lengthPrefix(statusSize) +
    6 // flags: two-byte tag, fixed32

  const start = reserve(size)
  const buf = slab
  let pos = start
  const ids = span instanceof OtelkitSpan ? span : undefined
  pos = ids?.traceIdPool
    ? writeIdBytes(pos, 0x0a, ids.traceIdPool, ids.traceIdAt, 16)
    : writeHexField(buf, pos, 0x0a, ctx.traceId)
  pos = ids
    ? writeIdBytes(pos, 0x12, ids.spanIdPool, ids.spanIdAt, 8)
    : writeHexField(buf, pos, 0x12, ctx.spanId)
  if (traceState) {
    buf[pos++] = 0x1a
    pos = writeVarint(buf, pos, traceStateLength)
    pos = writeUtf8(buf, pos, traceState, traceStateLength)
  }
  if (parent?.spanId) {
    pos = ids?.parentIdPool
      ? writeIdBytes(pos, 0x22, ids.parentIdPool, ids.parentIdAt, 8)
      : writeHexField(buf, pos, 0x22, parent.spanId)
  }
  pos = writeBytes(buf, pos, name)
  buf[pos++] = 0x30
  buf[pos++] = kind
  // otelkit's span keeps epoch milliseconds: its times are written without making the HrTime pairs.
  buf[pos++] = 0x39
  if (ids === undefined) pos = writeUnixNanos(buf, pos, span.startTime)
  else pos = ids.startHr ? writeUnixNanos(buf, pos, ids.startHr) : writeEpochMsTo(slabView, pos, ids.startMs)
  buf[pos++] = 0x41
  if (ids === undefined) pos = writeUnixNanos(buf, pos, span.endTime)
  else pos = ids.endHr ? writeUnixNanos(buf, pos, ids.endHr) : writeEpochMsTo(slabView, pos, ids.endMs)
  if (block !== undefined) pos = writeBytes(buf, pos, block.bytes)
  else {
    const attributesStart = pos
    pos = writeAttributes(buf, pos, SPAN_ATTRIBUTE_TAG, 0, attributeCount)
    if (slot >= 0 && nameBlocks.wants(slot)) {
      nameBlocks.keep(slot, attributes, buf.subarray(attributesStart, pos), MAX_REPEATED_STRING)
    }
  }
  if (span.droppedAttributesCount) {
    buf[pos++] = 0x50
    pos = writeVarint(buf, pos, span.droppedAttributesCount)
  }
  // Events (11) and links (13) are one block: the droppedEventsCount field (12) goes after both,
  // which protobuf allows (fields in any order).
  if (eventsAndLinks) pos = writeBytes(buf, pos, eventsAndLinks)
  if (span.droppedEventsCount) {
    buf[pos++] = 0x60
    pos = writeVarint(buf, pos, span.droppedEventsCount)
  }
  if (span.droppedLinksCount) {
    buf[pos++] = 0x70
    pos = writeVarint(buf, pos, span.droppedLinksCount)
  }
  buf[pos++] = 0x7a
  pos = writeVarint(buf, pos, statusSize)
  if (statusMessage) {
    buf[pos++] = 0x12
    pos = writeVarint(buf, pos, statusMessageLength)
    pos = writeUtf8(buf, pos, statusMessage, statusMessageLength)
  }
  if (statusCode) {
    buf[pos++] = 0x18
    pos = writeVarint(buf, pos, statusCode)
  }
  // flags (field 16, fixed32): trace flags, "is_remote is known" (bit 8), "parent is remote" (bit 9).
  buf[pos++] = 0x85
  buf[pos++] = 0x01
  pos = writeUint32LE(buf, pos, (ctx.traceFlags & 0xff) | 0x100 | (parent?.isRemote ? 0x200 : 0))
  if (pos - start !== size) {
    throw new Error(`span encoding wrote ${pos - start} bytes, sized ${size}`)
  }
  encodedSlab = buf
  encodedSize = size
  return start
}
