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
  const groups = new Map<string, Buffer[]>()
  for (const span of spans) {
    let list = groups.get(span.scopeKey)
    if (!list) {
      list = []
      groups.set(span.scopeKey, list)
    }
    list.push(span.bytes)
  }
  // ResourceSpans (field 1 of the request): resource (1), then one ScopeSpans (2) per scope:
  // scope (1), spans (2), schema_url (3).
  const scopeSizes: number[] = []
  let resourceSpansSize = lengthPrefix(resourceBytes.length)
  for (const [scopeKey, list] of groups) {
    const scope = scopes.get(scopeKey)
    let size = scope ? lengthPrefix(scope.bytes.length) : 0
    for (const bytes of list) size += lengthPrefix(bytes.length)
    if (scope?.schemaUrl) size += lengthPrefix(utf8Length(scope.schemaUrl))
    scopeSizes.push(size)
    resourceSpansSize += lengthPrefix(size)
  }
  const total = lengthPrefix(resourceSpansSize)
  const buf = Buffer.allocUnsafe(total)
  let pos = writeField(buf, 0, 0x0a, resourceSpansSize)
  pos = writeField(buf, pos, 0x0a, resourceBytes.length)
  buf.set(resourceBytes, pos)
  pos += resourceBytes.length
  let group = 0
  for (const [scopeKey, list] of groups) {
    const scope = scopes.get(scopeKey)
    pos = writeField(buf, pos, 0x12, scopeSizes[group++] as number)
    if (scope) {
      pos = writeField(buf, pos, 0x0a, scope.bytes.length)
      buf.set(scope.bytes, pos)
      pos += scope.bytes.length
    }
    for (const bytes of list) {
      pos = writeField(buf, pos, 0x12, bytes.length)
      pos = writeBytes(buf, pos, bytes)
    }
    if (scope?.schemaUrl) {
      const length = utf8Length(scope.schemaUrl)
      pos = writeField(buf, pos, 0x1a, length)
      pos = writeUtf8(buf, pos, scope.schemaUrl, length)
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
