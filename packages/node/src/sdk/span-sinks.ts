/**
 * The two span sinks: otelkit's own OTLP/HTTP protobuf path (spans encoded at end, batches sent
 * as one concatenation; the default protocol), and any upstream `SpanExporter` (http/json, grpc,
 * console), created lazily on the first export.
 */

import type { InstrumentationScope } from '@opentelemetry/core'
import { ExportResultCode } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace'
import type { ResolvedConfig } from '../config/resolved.js'
import {
  type EncodedSpan,
  encodeExportRequest,
  encodeResource,
  encodeScope,
  encodeSpan,
} from '../otlp/encode.js'
import { createOtlpHttpTransport } from '../otlp/http-transport.js'
import { withoutUserinfo } from '../privacy/url.js'
import type { SinkResult, SpanBatchSink } from './span-export.js'

export function otlpProtobufSink(config: ResolvedConfig, resource: Resource): SpanBatchSink<EncodedSpan> {
  const transport = createOtlpHttpTransport({
    url: config.otlpTracesEndpoint,
    headers: config.otlpHeaders,
    timeoutMs: config.otlpTimeoutMs,
    compression: config.otlpCompression,
  })
  const resourceBytes = encodeResource(resource)
  const scopeKeys = new WeakMap<InstrumentationScope, string>()
  const scopes = new Map<string, { bytes: Buffer; schemaUrl?: string }>()
  const keyOf = (scope: InstrumentationScope): string => {
    let key = scopeKeys.get(scope)
    if (key === undefined) {
      key = `${scope.name}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}`
      scopeKeys.set(scope, key)
      if (!scopes.has(key)) scopes.set(key, { bytes: encodeScope(scope), schemaUrl: scope.schemaUrl })
    }
    return key
  }
  return {
    target: withoutUserinfo(config.otlpTracesEndpoint),
    prepare: (span) => ({ scopeKey: keyOf(span.instrumentationScope), bytes: encodeSpan(span) }),
    send: async (batch, options) => {
      const result = await transport.send(encodeExportRequest(resourceBytes, scopes, batch), options)
      if (result.ok) {
        return result.partial
          ? { ok: true, rejected: { count: result.partial.rejected, message: result.partial.message } }
          : { ok: true }
      }
      // A refusal the server says not to retry (400, 401, 413, ...): the data is refused for good.
      return { ok: false, error: result.error, reason: result.retryable ? 'export_failed' : 'rejected' }
    },
    shutdown: async () => transport.close(),
  }
}

export function exporterSink(
  target: string,
  createExporter: () => SpanExporter,
): SpanBatchSink<ReadableSpan> {
  let exporter: SpanExporter | undefined
  let unavailable: string | undefined
  return {
    target,
    prepare: (span) => span,
    send(batch) {
      if (exporter === undefined && unavailable === undefined) {
        try {
          exporter = createExporter()
        } catch (error) {
          unavailable = (error as Error).message
        }
      }
      if (exporter === undefined) {
        return Promise.resolve({
          ok: false,
          error: `exporter unavailable: ${unavailable}`,
          reason: 'exporter_unavailable',
        })
      }
      const current = exporter
      return new Promise<SinkResult>((resolve) => {
        current.export(batch, (result) =>
          resolve(
            result.code === ExportResultCode.SUCCESS
              ? { ok: true }
              : { ok: false, error: result.error?.message ?? 'unknown error' },
          ),
        )
      })
    },
    shutdown: async () => {
      await exporter?.shutdown()
    },
  }
}
