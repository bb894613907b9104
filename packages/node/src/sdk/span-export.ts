/**
 * Batches sampled spans to a sink with bounded memory. Spans that cannot be kept (queue full,
 * export failed or timed out after the sink's retries, refused by the server, exporter
 * unavailable) are counted in otelkit.telemetry.dropped{signal="traces", reason}; failures are
 * logged at most once a minute. While a batch is being retried, new spans wait in the bounded
 * queue. On shutdown each remaining batch gets one last attempt, without retries.
 * Exports run with tracing suppressed, so their own requests produce no telemetry.
 */
import { context, TraceFlags } from '@opentelemetry/api'
import { suppressTracing } from '@opentelemetry/core'
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace'
import { rateLimitedLogger } from '../logger.js'

export type DropReason = 'queue_full' | 'export_failed' | 'exporter_unavailable' | 'rejected'

/**
 * The outcome of one batch. `rejected` on success: the server accepted the request but refused
 * that many spans (OTLP partial success). On failure, `reason` defaults to `export_failed`;
 * a server's non-retryable refusal is `rejected`.
 */
export type SinkResult =
  | { ok: true; rejected?: { count: number; message: string } }
  | { ok: false; error: string; reason?: DropReason }

/** How the processor lets a sink spend its time on one batch. */
export interface SendOptions {
  /** No attempt starts and no back-off ends after this time (ms since epoch). */
  deadline: number
  /** Whether retryable failures may be retried (false on shutdown: one last attempt). */
  retry: boolean
}

/** What a sink takes from its queue and sends at once. */
export interface SpanBatch {
  /** How many spans it holds. */
  readonly count: number
}

/**
 * Where batches go. The sink keeps the queue (in whatever form its spans are sent: encoded bytes,
 * span objects); the processor counts what is in it, bounds it and decides when a batch is taken.
 */
export interface SpanBatchSink<B extends SpanBatch> {
  /** Target description for log lines (e.g. the endpoint). */
  readonly target: string
  /** Keeps an ended, sampled span (called synchronously at span end); throws, keeping nothing, when it cannot. */
  keep(span: ReadableSpan): void
  /** Takes the `count` oldest kept spans (never more than are kept) as one batch. */
  take(count: number): B
  send(batch: B, options: SendOptions): Promise<SinkResult>
  shutdown(): Promise<void>
}

/** Options of the batching span processor. */
export interface BatchingSpanProcessorOptions {
  /** @default 2048 */
  maxQueueSize: number
  /** @default 512 */
  maxExportBatchSize: number
  /** @default 5000 */
  scheduledDelayMs: number
  /** @default 30000 */
  exportTimeoutMs: number
  /** Counts dropped spans. */
  onDrop: (reason: DropReason, count: number) => void
}

export class BatchingSpanProcessor<B extends SpanBatch> implements SpanProcessor {
  private readonly options: BatchingSpanProcessorOptions
  private readonly sink: SpanBatchSink<B>
  /** Spans the sink keeps that were not taken yet. */
  private queued = 0
  private timer: NodeJS.Timeout | undefined
  private inFlight: Promise<void> | undefined
  private shutDown = false
  /** After a failed export, no new attempt before this time (ms since epoch). */
  private backoffUntil = 0
  private readonly logFailure = rateLimitedLogger(60_000)
  /** Set once shutdown starts: batches then get one attempt each. */
  private finalFlush = false

  constructor(sink: SpanBatchSink<B>, options: BatchingSpanProcessorOptions) {
    this.sink = sink
    this.options = options
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.shutDown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return
    if (this.queued >= this.options.maxQueueSize) {
      this.options.onDrop('queue_full', 1)
      this.logFailure(
        'warn',
        'queue',
        `span queue full (${this.options.maxQueueSize}); dropping spans. The exporter to ${this.sink.target} is slower than the span rate: check the collector, or raise OTEL_BSP_MAX_QUEUE_SIZE`,
      )
      return
    }
    try {
      this.sink.keep(span)
    } catch (error) {
      this.options.onDrop('exporter_unavailable', 1)
      this.logFailure(
        'warn',
        'prepare',
        `a span could not be encoded for export: ${(error as Error).message}`,
      )
      return
    }
    this.queued++
    if (this.queued >= this.options.maxExportBatchSize) this.kick()
    else this.schedule()
  }

  private schedule(): void {
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.kick()
    }, this.options.scheduledDelayMs)
    this.timer.unref()
  }

  private kick(): void {
    if (this.inFlight !== undefined || this.queued === 0) return
    if (Date.now() < this.backoffUntil) {
      // The collector just failed: wait instead of spinning on it; the bounded queue drops the rest.
      this.schedule()
      return
    }
    this.inFlight = this.exportOne().finally(() => {
      this.inFlight = undefined
      if (this.queued >= this.options.maxExportBatchSize) this.kick()
      else if (this.queued > 0) this.schedule()
    })
  }

  private async exportOne(): Promise<void> {
    if (this.queued === 0) return
    const batch = this.sink.take(Math.min(this.queued, this.options.maxExportBatchSize))
    this.queued -= batch.count
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<SinkResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: `export timed out after ${this.options.exportTimeoutMs} ms` }),
        this.options.exportTimeoutMs,
      )
      timer.unref()
    })
    const sendOptions: SendOptions = {
      deadline: Date.now() + this.options.exportTimeoutMs,
      retry: !this.finalFlush,
    }
    const sent = context.with(suppressTracing(context.active()), () =>
      this.sink
        .send(batch, sendOptions)
        .catch((error: unknown): SinkResult => ({ ok: false, error: String(error) })),
    )
    const result = await Promise.race([sent, timeout])
    clearTimeout(timer)
    if (result.ok && result.rejected !== undefined) {
      const { count, message } = result.rejected
      if (count > 0) this.options.onDrop('rejected', count)
      this.logFailure(
        'warn',
        'partial',
        `trace export to ${this.sink.target}: the server rejected ${count} of ${batch.count} span(s) (counted in otelkit_telemetry_dropped_total{reason="rejected"})${message ? `: ${message}` : ''}`,
      )
    }
    if (!result.ok) {
      this.backoffUntil = Date.now() + Math.min(this.options.scheduledDelayMs, 5000)
      this.options.onDrop(result.reason ?? 'export_failed', batch.count)
      this.logFailure(
        'warn',
        'export',
        `trace export to ${this.sink.target} failed: ${result.error}; ${batch.count} span(s) dropped (counted in otelkit_telemetry_dropped_total). Check OTEL_EXPORTER_OTLP_ENDPOINT and that the collector is up`,
      )
    }
  }

  async forceFlush(): Promise<void> {
    this.backoffUntil = 0
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    while (this.inFlight !== undefined || this.queued > 0) {
      if (this.inFlight !== undefined) await this.inFlight
      else {
        this.inFlight = this.exportOne().finally(() => {
          this.inFlight = undefined
        })
      }
    }
  }

  async shutdown(): Promise<void> {
    if (this.shutDown) return
    this.finalFlush = true
    await this.forceFlush()
    this.shutDown = true
    await this.sink.shutdown().catch(() => undefined)
  }
}
