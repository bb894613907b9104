/**
 * OTLP protobuf encoding of spans, resources and scopes (opentelemetry/proto trace/v1). A span
 * is encoded once, when it ends, into a small byte string (span-encoder.ts): the queue then holds
 * bytes, not span objects, so nothing long-lived is left for the garbage collector and export is
 * a concatenation.
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

export { encodeSpan } from './span-encoder.js'

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

export interface EncodedSpan {
  scopeKey: string
  bytes: Buffer
}

/**
 * Builds an `ExportTraceServiceRequest` from encoded spans (one resource, spans grouped by
 * scope in first-seen order). Every length is known from the parts, so the sizes are added up
 * first and the request is written in one pass into a buffer of its exact size: no closures per
 * nested message and no moving a message's body after its length is known (a batch of 512 spans
 * was copied twice that way).
 */
export function encodeExportRequest(
  resourceBytes: Buffer,
  scopes: ReadonlyMap<string, { bytes: Buffer; schemaUrl?: string }>,
  spans: readonly EncodedSpan[],
): Buffer {
  const groups = new Map<string, ScopeGroup>()
  for (const span of spans) {
    let group = groups.get(span.scopeKey)
    if (!group) {
      const scope = scopes.get(span.scopeKey)
      const schemaUrl = scope?.schemaUrl || undefined
      group = {
        scope: scope?.bytes,
        schemaUrl,
        schemaUrlLength: schemaUrl ? utf8Length(schemaUrl) : 0,
        spans: [],
        size: 0,
      }
      groups.set(span.scopeKey, group)
    }
    group.spans.push(span.bytes)
  }
  // ResourceSpans (field 1 of the request): resource (1), then one ScopeSpans (2) per scope:
  // scope (1), spans (2), schema_url (3).
  let resourceSpansSize = lengthPrefix(resourceBytes.length)
  for (const group of groups.values()) {
    let size = group.scope ? lengthPrefix(group.scope.length) : 0
    for (const bytes of group.spans) size += lengthPrefix(bytes.length)
    if (group.schemaUrl) size += lengthPrefix(group.schemaUrlLength)
    group.size = size
    resourceSpansSize += lengthPrefix(size)
  }
  const total = lengthPrefix(resourceSpansSize)
  const buf = Buffer.allocUnsafe(total)
  let pos = writeField(buf, 0, 0x0a, resourceSpansSize)
  pos = writeBytes(buf, writeField(buf, pos, 0x0a, resourceBytes.length), resourceBytes)
  for (const group of groups.values()) {
    pos = writeField(buf, pos, 0x12, group.size)
    if (group.scope) pos = writeBytes(buf, writeField(buf, pos, 0x0a, group.scope.length), group.scope)
    for (const bytes of group.spans) pos = writeBytes(buf, writeField(buf, pos, 0x12, bytes.length), bytes)
    if (group.schemaUrl) {
      pos = writeField(buf, pos, 0x1a, group.schemaUrlLength)
      pos = writeUtf8(buf, pos, group.schemaUrl, group.schemaUrlLength)
    }
  }
  if (pos !== total) throw new Error(`export request encoding wrote ${pos} bytes, sized ${total}`)
  return buf
}

/** The spans of one scope in an export request, with what its ScopeSpans message needs. */
interface ScopeGroup {
  /** The encoded InstrumentationScope, if the scope is known. */
  scope: Buffer | undefined
  schemaUrl: string | undefined
  schemaUrlLength: number
  spans: Buffer[]
  /** The ScopeSpans message's body size, once summed. */
  size: number
}

/** Writes a length-delimited field's one-byte tag and length; returns where its body goes. */
function writeField(buf: Buffer, pos: number, tag: number, length: number): number {
  buf[pos] = tag
  return writeVarint(buf, pos + 1, length)
}
