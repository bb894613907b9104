/**
 * Wraps a log record exporter so that what it cannot deliver is counted in
 * otelkit.telemetry.dropped{signal="logs", reason} and reported at most once a minute. The
 * wrapped exporter is built on the first export; one that cannot be built drops its batches as
 * `exporter_unavailable` instead of throwing into the logging library.
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs'
import { rateLimitedLogger } from '../logger.js'

/** Why log records were dropped (the `reason` label). */
export type LogDropReason = 'queue_full' | 'export_failed' | 'rejected' | 'exporter_unavailable'

/** An HTTP status the server means as final (4xx other than 408 and 429): the data is refused. */
function isRefusal(error: Error | undefined): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'number' && code >= 400 && code < 500 && code !== 408 && code !== 429
}

export function countingLogExporter(
  target: string,
  create: () => LogRecordExporter,
  onDrop: (reason: LogDropReason, count: number) => void,
  logFailure: ReturnType<typeof rateLimitedLogger> = rateLimitedLogger(60_000),
): LogRecordExporter {
  let exporter: LogRecordExporter | undefined
  let unavailable: string | undefined
  const dropped = (reason: LogDropReason, count: number, why: string) => {
    onDrop(reason, count)
    logFailure(
      'warn',
      reason,
      `log export to ${target} failed: ${why}; ${count} log record(s) dropped (counted in otelkit_telemetry_dropped_total{signal="logs"}). Check OTEL_EXPORTER_OTLP_ENDPOINT and that the collector is up`,
    )
  }
  return {
    export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
      if (exporter === undefined && unavailable === undefined) {
        try {
          exporter = create()
        } catch (error) {
          unavailable = (error as Error).message
        }
      }
      if (exporter === undefined) {
        dropped('exporter_unavailable', records.length, `exporter unavailable: ${unavailable}`)
        done({ code: ExportResultCode.FAILED, error: new Error(`exporter unavailable: ${unavailable}`) })
        return
      }
      try {
        exporter.export(records, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) {
            const reason = isRefusal(result.error) ? 'rejected' : 'export_failed'
            dropped(reason, records.length, result.error?.message ?? 'unknown error')
          }
          done(result)
        })
      } catch (error) {
        dropped('export_failed', records.length, (error as Error).message)
        done({ code: ExportResultCode.FAILED, error: error as Error })
      }
    },
    async forceFlush(): Promise<void> {
      await exporter?.forceFlush?.()
    },
    async shutdown(): Promise<void> {
      await exporter?.shutdown()
    },
  }
}
