/**
 * The span sinks: otelkit's own OTLP/HTTP protobuf path (spans encoded at end, batches sent
 * as one concatenation; the default protocol), any upstream `SpanExporter` (http/json, grpc,
 * console), created lazily on the first export, and the sink of a signal whose TLS settings
 * cannot be honoured (nothing sent, every batch dropped as `exporter_unavailable`).
 */

import { ExportResultCode } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace'
import type { ResolvedConfig } from '../config/resolved.js'
import { encodeResource } from '../otlp/encode.js'
import { createOtlpHttpTransport } from '../otlp/http-transport.js'
import { type EncodedSpanBatch, EncodedSpanQueue } from '../otlp/span-queue.js'
import type { OtlpTlsMaterial } from '../otlp/tls.js'
import { withoutUserinfo } from '../privacy/url.js'
import { createOtlpTraceExporter, OtlpTlsUnavailableError, otlpTls } from './exporters.js'
import { settledAttributes } from './resource.js'
import type { SinkResult, SpanBatch, SpanBatchSink } from './span-export.js'

/** The OTLP span sink of `config.otlp.traces`: the own protobuf path or the upstream exporter of its protocol. */
export function otlpSpanSink(config: ResolvedConfig, resource: Resource): SpanBatchSink<SpanBatch> {
  const traces = config.otlp.traces
  const target = withoutUserinfo(traces.endpoint)
  const tls = otlpTls(traces)
  if (!tls.ok) return unavailableSink(target, new OtlpTlsUnavailableError('traces').message)
  if (traces.protocol === 'http/protobuf') {
    return otlpProtobufSink(config, resource, tls.material) as SpanBatchSink<SpanBatch>
  }
  return exporterSink(target, () => createOtlpTraceExporter(config)) as SpanBatchSink<SpanBatch>
}

/** Sends nothing: every batch is dropped as `exporter_unavailable` with `error`. */
export function unavailableSink(target: string, error: string): SpanBatchSink<SpanBatch> {
  return {
    target,
    keep() {},
    take: (count) => ({ count }),
    send: async () => ({ ok: false, error, reason: 'exporter_unavailable' }),
    shutdown: async () => {},
  }
}

export function otlpProtobufSink(
  config: ResolvedConfig,
  resource: Resource,
  tls: OtlpTlsMaterial = {},
): SpanBatchSink<EncodedSpanBatch> {
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
  const queue = new EncodedSpanQueue()
  return {
    target: withoutUserinfo(traces.endpoint),
    keep: (span) => queue.push(span),
    take: (count) => queue.take(count),
    send: async (batch, options) => {
      if (resourceBytes === undefined) {
        await settledAttributes(resource)
        resourceBytes = encodeResource(resource)
      }
      const result = await transport.send(queue.request(resourceBytes, batch), options)
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

/** A batch of span objects, for an upstream exporter. */
interface SpanList extends SpanBatch {
  readonly spans: ReadableSpan[]
}

export function exporterSink(target: string, createExporter: () => SpanExporter): SpanBatchSink<SpanList> {
  let exporter: SpanExporter | undefined
  let unavailable: string | undefined
  let queue: ReadableSpan[] = []
  return {
    target,
    keep: (span) => queue.push(span),
    take(count) {
      const spans = queue.length <= count ? queue : queue.splice(0, count)
      if (spans === queue) queue = []
      return { count: spans.length, spans }
    },
    send({ spans }) {
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
        current.export(spans, (result) =>
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
