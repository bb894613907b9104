/**
 * OTLP protobuf encoding of spans, resources and scopes (opentelemetry/proto trace/v1). A span
 * is encoded once, when it ends, into pooled memory (span-encoder.ts): the queue (span-queue.ts)
 * then holds where its bytes are, not span objects, so nothing long-lived is left for the garbage
 * collector and export is a concatenation.
 */
import type { InstrumentationScope } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import {
  lengthPrefix,
  ProtobufWriter,
  utf8Length,
  writeBytes,
  writeUtf8,
  writeVarint,
} from './protobuf-writer.js'
import { writeGeneralAttributes } from './span-encoder.js'
import type { EncodedScope, EncodedSpanBatch } from './span-queue.js'

/** Encodes a `Resource` message body. */
export function encodeResource(resource: Resource): Buffer {
  const w = new ProtobufWriter(1024)
  writeGeneralAttributes(w, 1, resource.attributes)
  return w.toBuffer()
}

/** Encodes an `InstrumentationScope` message body. */
export function encodeScope(scope: InstrumentationScope): Buffer {
  const w = new ProtobufWriter(128)
  w.string(1, scope.name)
  if (scope.version) w.string(2, scope.version)
  return w.toBuffer()
}

/**
 * Builds an `ExportTraceServiceRequest` from a batch of encoded spans (one resource, spans grouped
 * by scope in first-seen order). Every length is known from the parts, so the sizes are added up
 * first and the request is written in one pass into a buffer of its exact size: no closures per
 * nested message and no moving a message's body after its length is known.
 */
export function encodeExportRequest(
  resourceBytes: Buffer,
  scopeTable: readonly EncodedScope[],
  spans: EncodedSpanBatch,
): Buffer {
  const { count, slabs, starts, sizes, scopes } = spans
  // The scopes of the batch in first-seen order, and each one's ScopeSpans body size: scope (1),
  // spans (2), schema_url (3); by scope number (-1: not in the batch), no Map operation per span.
  const order: number[] = []
  const groupSizes = new Array<number>(scopeTable.length).fill(-1)
  for (let i = 0; i < count; i++) {
    const scope = scopes[i] as number
    let size = groupSizes[scope]
    // Not seen yet (or a number beyond the table, which encodes as a scope without its message).
    if (size === undefined || size < 0) {
      order.push(scope)
      const entry = scopeTable[scope]
      size = entry === undefined ? 0 : lengthPrefix(entry.bytes.length)
      if (entry?.schemaUrl) size += lengthPrefix(utf8Length(entry.schemaUrl))
    }
    groupSizes[scope] = size + lengthPrefix(sizes[i] as number)
  }
  // ResourceSpans (field 1 of the request): resource (1), then one ScopeSpans (2) per scope.
  let resourceSpansSize = lengthPrefix(resourceBytes.length)
  for (const scope of order) resourceSpansSize += lengthPrefix(groupSizes[scope] as number)
  const total = lengthPrefix(resourceSpansSize)
  const buf = Buffer.allocUnsafe(total)
  let pos = writeField(buf, 0, 0x0a, resourceSpansSize)
  pos = writeBytes(buf, writeField(buf, pos, 0x0a, resourceBytes.length), resourceBytes)
  for (const scope of order) {
    pos = writeField(buf, pos, 0x12, groupSizes[scope] as number)
    const entry = scopeTable[scope]
    if (entry !== undefined)
      pos = writeBytes(buf, writeField(buf, pos, 0x0a, entry.bytes.length), entry.bytes)
    for (let i = 0; i < count; i++) {
      if (scopes[i] !== scope) continue
      const start = starts[i] as number
      const size = sizes[i] as number
      pos = writeField(buf, pos, 0x12, size)
      pos += (slabs[i] as Buffer).copy(buf, pos, start, start + size)
    }
    if (entry?.schemaUrl) {
      const length = utf8Length(entry.schemaUrl)
      pos = writeField(buf, pos, 0x1a, length)
      pos = writeUtf8(buf, pos, entry.schemaUrl, length)
    }
  }
  if (pos !== total) throw new Error(`export request encoding wrote ${pos} bytes, sized ${total}`)
  return buf
}

/** Writes a length-delimited field's one-byte tag and length; returns where its body goes. */
function writeField(buf: Buffer, pos: number, tag: number, length: number): number {
  buf[pos] = tag
  return writeVarint(buf, pos + 1, length)
}
