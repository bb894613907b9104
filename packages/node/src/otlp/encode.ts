/**
 * OTLP protobuf encoding of spans, resources and scopes (opentelemetry/proto trace/v1). A span
 * is encoded once, when it ends, into a small byte string: the queue then holds bytes, not span
 * objects, so nothing long-lived is left for the garbage collector and export is a concatenation.
 */
import type { Attributes, AttributeValue, HrTime, SpanContext } from '@opentelemetry/api'
import type { InstrumentationScope } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import { lengthPrefix, ProtobufWriter, utf8Length, varintSize } from './protobuf-writer.js'

function writeAnyValue(w: ProtobufWriter, value: AttributeValue | undefined): void {
  switch (typeof value) {
    case 'string':
      w.string(1, value)
      return
    case 'boolean':
      w.bool(2, value)
      return
    case 'number':
      if (Number.isInteger(value) && Number.isSafeInteger(value)) w.int64(3, value)
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

/** UTF-8 length of the last string value sized by `scalarValueSize` (read back when writing it). */
let sizedStringLength = 0

/**
 * Size of the `AnyValue` body of a string, boolean or number; -1 for arrays and anything else
 * (written through the general, slower `writeAnyValue`).
 */
function scalarValueSize(value: AttributeValue): number {
  switch (typeof value) {
    case 'string':
      sizedStringLength = utf8Length(value)
      return lengthPrefix(sizedStringLength)
    case 'boolean':
      return 2
    case 'number':
      if (Number.isInteger(value) && Number.isSafeInteger(value))
        return value >= 0 ? 1 + varintSize(value) : 11
      return 9
    default:
      return -1
  }
}

/** Attribute keys repeat: each one's `key` field (tag, length, UTF-8) is encoded once. */
const keyFields = new Map<string, Uint8Array>()
const MAX_KEY_FIELDS = 4096

function encodedKey(key: string): Uint8Array {
  let bytes = keyFields.get(key)
  if (bytes === undefined) {
    const w = new ProtobufWriter(key.length * 3 + 6)
    w.string(1, key)
    bytes = w.toBuffer()
    if (keyFields.size < MAX_KEY_FIELDS) keyFields.set(key, bytes)
  }
  return bytes
}

/** One `KeyValue` attribute: sizes computed first, then written without nested-message copies. */
function writeAttribute(w: ProtobufWriter, field: number, key: string, value: AttributeValue): void {
  const valueSize = scalarValueSize(value)
  if (valueSize < 0) {
    w.message(field, () => {
      w.string(1, key)
      w.message(2, () => writeAnyValue(w, value))
    })
    return
  }
  const stringLength = sizedStringLength
  const keyField = encodedKey(key)
  w.lengthDelimited(field, keyField.length + lengthPrefix(valueSize))
  w.raw(keyField)
  w.lengthDelimited(2, valueSize)
  if (typeof value === 'string') {
    w.tag(1, 2)
    w.varint(stringLength)
    w.utf8(value, stringLength)
  } else writeAnyValue(w, value)
}

function writeAttributes(w: ProtobufWriter, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    const value = attributes[key]
    if (value === undefined || value === null) continue
    writeAttribute(w, field, key, value)
  }
}

/** The `Status` message, sized first. */
function writeStatus(w: ProtobufWriter, message: string | undefined, code: number): void {
  const messageLength = message ? utf8Length(message) : 0
  const size = (message ? lengthPrefix(messageLength) : 0) + (code !== 0 ? 1 + varintSize(code) : 0)
  w.lengthDelimited(15, size)
  if (message) {
    w.tag(2, 2)
    w.varint(messageLength)
    w.utf8(message, messageLength)
  }
  if (code !== 0) w.uint32(3, code)
}

function writeSpanContextIds(w: ProtobufWriter, ctx: SpanContext): void {
  w.hexBytes(1, ctx.traceId)
  w.hexBytes(2, ctx.spanId)
  const state = ctx.traceState?.serialize()
  if (state) w.string(3, state)
}

const scratch = new ProtobufWriter(4096)

/** Encodes one span as an OTLP `Span` message body (without its field tag). */
export function encodeSpan(span: ReadableSpan): Buffer {
  const w = scratch
  w.reset()
  const ctx = span.spanContext()
  writeSpanContextIds(w, ctx)
  const parent = span.parentSpanContext
  if (parent?.spanId) w.hexBytes(4, parent.spanId)
  w.string(5, span.name)
  // OTLP SpanKind is the API's kind + 1 (0 is UNSPECIFIED).
  w.uint32(6, span.kind + 1)
  w.fixed64Time(7, span.startTime as HrTime)
  w.fixed64Time(8, span.endTime as HrTime)
  writeAttributes(w, 9, span.attributes)
  if (span.droppedAttributesCount) w.uint32(10, span.droppedAttributesCount)
  for (const event of span.events) {
    w.message(11, () => {
      w.fixed64Time(1, event.time)
      w.string(2, event.name)
      if (event.attributes) writeAttributes(w, 3, event.attributes)
      if (event.droppedAttributesCount) w.uint32(4, event.droppedAttributesCount)
    })
  }
  if (span.droppedEventsCount) w.uint32(12, span.droppedEventsCount)
  for (const link of span.links) {
    w.message(13, () => {
      writeSpanContextIds(w, link.context)
      if (link.attributes) writeAttributes(w, 4, link.attributes)
      if (link.droppedAttributesCount) w.uint32(5, link.droppedAttributesCount)
      w.fixed32(6, (link.context.traceFlags & 0xff) | 0x100 | (link.context.isRemote ? 0x200 : 0))
    })
  }
  if (span.droppedLinksCount) w.uint32(14, span.droppedLinksCount)
  writeStatus(w, span.status.message, span.status.code)
  // flags: trace flags, "is_remote is known" (bit 8) and "parent is remote" (bit 9).
  w.fixed32(16, (ctx.traceFlags & 0xff) | 0x100 | (parent?.isRemote ? 0x200 : 0))
  return w.toBuffer()
}

/** Encodes a `Resource` message body. */
export function encodeResource(resource: Resource): Buffer {
  const w = new ProtobufWriter(1024)
  writeAttributes(w, 1, resource.attributes)
  return w.toBuffer()
}

/** Encodes an `InstrumentationScope` message body. */
export function encodeScope(scope: InstrumentationScope): Buffer {
  const w = new ProtobufWriter(128)
  w.string(1, scope.name)
  if (scope.version) w.string(2, scope.version)
  return w.toBuffer()
}

export interface EncodedSpan {
  scopeKey: string
  bytes: Buffer
}

/**
 * Builds an `ExportTraceServiceRequest` from encoded spans (one resource, spans grouped by
 * scope in first-seen order).
 */
export function encodeExportRequest(
  resourceBytes: Buffer,
  scopes: ReadonlyMap<string, { bytes: Buffer; schemaUrl?: string }>,
  spans: readonly EncodedSpan[],
): Buffer {
  const groups = new Map<string, Buffer[]>()
  for (const span of spans) {
    let list = groups.get(span.scopeKey)
    if (!list) {
      list = []
      groups.set(span.scopeKey, list)
    }
    list.push(span.bytes)
  }
  let size = 0
  for (const span of spans) size += span.bytes.length + 6
  const w = new ProtobufWriter(size + resourceBytes.length + 256)
  w.message(1, () => {
    w.bytes(1, resourceBytes)
    for (const [scopeKey, list] of groups) {
      const scope = scopes.get(scopeKey)
      w.message(2, () => {
        if (scope) w.bytes(1, scope.bytes)
        for (const bytes of list) w.bytes(2, bytes)
        if (scope?.schemaUrl) w.string(3, scope.schemaUrl)
      })
    }
  })
  return w.toBuffer()
}
