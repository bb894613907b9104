/**
 * The span sinks: otelkit's own OTLP/HTTP protobuf path (spans encoded at end, batches sent
 * as one concatenation; the default protocol), any upstream `SpanExporter` (http/json, grpc,
 * console), created lazily on the first export, and the sink of a signal whose TLS settings
 * cannot be honoured (nothing sent, every batch dropped as `exporter_unavailable`).
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
import type { OtlpTlsMaterial } from '../otlp/tls.js'
import { withoutUserinfo } from '../privacy/url.js'
import { createOtlpTraceExporter, OtlpTlsUnavailableError, otlpTls } from './exporters.js'
import { settledAttributes } from './resource.js'
import type { SinkResult, SpanBatchSink } from './span-export.js'

/** The OTLP span sink of `config.otlp.traces`: the own protobuf path or the upstream exporter of its protocol. */
export function otlpSpanSink(config: ResolvedConfig, resource: Resource): SpanBatchSink<unknown> {
  const traces = config.otlp.traces
  const target = withoutUserinfo(traces.endpoint)
  const tls = otlpTls(traces)
  if (!tls.ok) return unavailableSink(target, new OtlpTlsUnavailableError('traces').message)
  if (traces.protocol === 'http/protobuf') {
    return otlpProtobufSink(config, resource, tls.material) as SpanBatchSink<unknown>
  }
  return exporterSink(target, () => createOtlpTraceExporter(config)) as SpanBatchSink<unknown>
}

/** Sends nothing: every batch is dropped as `exporter_unavailable` with `error`. */
export function unavailableSink(target: string, error: string): SpanBatchSink<null> {
  return {
    target,
    prepare: () => null,
    send: async () => ({ ok: false, error, reason: 'exporter_unavailable' }),
    shutdown: async () => {},
  }
}

export function otlpProtobufSink(
  config: ResolvedConfig,
  resource: Resource,
  tls: OtlpTlsMaterial = {},
): SpanBatchSink<EncodedSpan> {
  const traces = config.otlp.traces
  const transport = createOtlpHttpTransport({
    url: traces.endpoint,
    headers: traces.headers,
    timeoutMs: traces.timeoutMs,
    compression: traces.compression,
    tls,
  })
  // Encoded at the first send: a cloud detector's attributes may still be on their way at start.
  let resourceBytes: Buffer | undefined
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
    target: withoutUserinfo(traces.endpoint),
    prepare: (span) => ({ scopeKey: keyOf(span.instrumentationScope), bytes: encodeSpan(span) }),
    send: async (batch, options) => {
      if (resourceBytes === undefined) {
        await settledAttributes(resource)
        resourceBytes = encodeResource(resource)
      }
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
