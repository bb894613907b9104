/**
 * OTLP protobuf encoding of spans, resources and scopes (opentelemetry/proto trace/v1). A span
 * is encoded once, when it ends, into a small byte string (span-encoder.ts): the queue then holds
 * bytes, not span objects, so nothing long-lived is left for the garbage collector and export is
 * a concatenation.
 */
import type { InstrumentationScope } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import { ProtobufWriter } from './protobuf-writer.js'
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
