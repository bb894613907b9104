/**
 * Batches sampled spans to an exporter with bounded memory. Spans that cannot be kept (queue
 * full, export failed or timed out, exporter unavailable) are counted in
 * otelkit.telemetry.dropped{signal="traces", reason}; failures are logged at most once a minute.
 * The exporter module is loaded on the first export, so start-up does not pay for it.
 */
import { context, TraceFlags } from '@opentelemetry/api'
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core'
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace'
import { log, rateLimitedLogger } from '../logger.js'

/** Options of the exporting span processor. */
export interface ExportingSpanProcessorOptions {
  /** Creates the exporter; called once, on the first export. */
  createExporter: () => SpanExporter
  /** Target description for log lines (e.g. the endpoint). */
  target: string
  /** @default 2048 */
  maxQueueSize: number
  /** @default 512 */
  maxExportBatchSize: number
  /** @default 5000 */
  scheduledDelayMs: number
  /** @default 30000 */
  exportTimeoutMs: number
  /** Counts dropped spans. */
  onDrop: (reason: 'queue_full' | 'export_failed' | 'exporter_unavailable', count: number) => void
}

export class ExportingSpanProcessor implements SpanProcessor {
  private readonly options: ExportingSpanProcessorOptions
  private queue: ReadableSpan[] = []
  private timer: NodeJS.Timeout | undefined
  private exporter: SpanExporter | null | undefined
  private inFlight: Promise<void> | undefined
  private shutDown = false
  private readonly logFailure = rateLimitedLogger(60_000)

  constructor(options: ExportingSpanProcessorOptions) {
    this.options = options
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.shutDown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return
    if (this.queue.length >= this.options.maxQueueSize) {
      this.options.onDrop('queue_full', 1)
      this.logFailure(
        'warn',
        'queue',
        `span queue full (${this.options.maxQueueSize}); dropping spans. The exporter to ${this.options.target} is slower than the span rate: check the collector, or raise OTEL_BSP_MAX_QUEUE_SIZE`,
      )
      return
    }
    this.queue.push(span)
    if (this.queue.length >= this.options.maxExportBatchSize) {
      this.kick()
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        this.kick()
      }, this.options.scheduledDelayMs)
      this.timer.unref()
    }
  }

  private kick(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return
    this.inFlight = this.exportOne().finally(() => {
      this.inFlight = undefined
      if (this.queue.length >= this.options.maxExportBatchSize) this.kick()
      else if (this.queue.length > 0 && this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined
          this.kick()
        }, this.options.scheduledDelayMs)
        this.timer.unref()
      }
    })
  }

  private getExporter(): SpanExporter | null {
    if (this.exporter === undefined) {
      try {
        this.exporter = this.options.createExporter()
      } catch (error) {
        log.warn(
          `trace exporter for ${this.options.target} could not be created: ${(error as Error).message}; spans are dropped and counted`,
        )
        this.exporter = null
      }
    }
    return this.exporter
  }

  private async exportOne(): Promise<void> {
    const batch = this.queue.splice(0, this.options.maxExportBatchSize)
    if (batch.length === 0) return
    const exporter = this.getExporter()
    if (exporter === null) {
      this.options.onDrop('exporter_unavailable', batch.length)
      return
    }
    const result = await new Promise<ExportResult>((resolve) => {
      const timer = setTimeout(
        () =>
          resolve({
            code: ExportResultCode.FAILED,
            error: new Error(`export timed out after ${this.options.exportTimeoutMs} ms`),
          }),
        this.options.exportTimeoutMs,
      )
      timer.unref()
      try {
        // The export's own HTTP/gRPC requests must not be traced (or counted as client metrics).
        context.with(suppressTracing(context.active()), () =>
          exporter.export(batch, (r) => {
            clearTimeout(timer)
            resolve(r)
          }),
        )
      } catch (error) {
        clearTimeout(timer)
        resolve({ code: ExportResultCode.FAILED, error: error as Error })
      }
    })
    if (result.code !== ExportResultCode.SUCCESS) {
      this.options.onDrop('export_failed', batch.length)
      this.logFailure(
        'warn',
        'export',
        `trace export to ${this.options.target} failed: ${result.error?.message ?? 'unknown error'}; ${batch.length} span(s) dropped (counted in otelkit_telemetry_dropped_total). Check OTEL_EXPORTER_OTLP_ENDPOINT and that the collector is up`,
      )
    }
  }

  async forceFlush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    while (this.inFlight !== undefined || this.queue.length > 0) {
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
    await this.forceFlush()
    this.shutDown = true
    await this.exporter?.shutdown().catch(() => undefined)
  }
}
