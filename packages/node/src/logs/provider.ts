/**
 * The logs signal: a LoggerProvider (@opentelemetry/sdk-logs) with the service's resource, a
 * batch processor driven by `OTEL_BLRP_*` in front of the OTLP log exporter, and/or a simple
 * processor in front of the console exporter, as `OTEL_LOGS_EXPORTER` says. What it registers
 * globally is a lazy provider whose loggers load sdk-logs and the exporter on their first record
 * (or `enabled()` question), not when they are made: every upstream instrumentation asks for a
 * logger when it is constructed (about 80 ms of loading, in one block, for nothing when no log
 * library is used), while records come only from pino, winston or bunyan. It is
 * registered with both logs APIs (`@opentelemetry/api` and the older `@opentelemetry/api-logs`,
 * which @opentelemetry/winston-transport still uses).
 */
import { createRequire } from 'node:module'
import {
  type Counter,
  createNoopLogger,
  type Logger,
  type LoggerOptions,
  type LoggerProvider,
  logs,
} from '@opentelemetry/api'
import type { Resource } from '@opentelemetry/resources'
import type { LogRecordProcessor, LoggerProvider as SdkLoggerProvider } from '@opentelemetry/sdk-logs'
import type { ResolvedConfig } from '../config/resolved.js'
import { log, rateLimitedLogger } from '../logger.js'
import { withoutUserinfo } from '../privacy/url.js'
import { logSendingEnabled } from './bridge.js'
import { countingLogExporter, type LogDropReason } from './counting-exporter.js'
import { createConsoleLogExporter, createOtlpLogExporter } from './exporters.js'
import { queueDropMeterProvider } from './queue-drops.js'

const require = createRequire(import.meta.url)

/** Global slot of `@opentelemetry/api-logs` (its API compatibility version 1). */
const API_LOGS_KEY = Symbol.for('io.opentelemetry.js.api.logs')
const API_LOGS_VERSION = 1

/** Every drop reason the OTLP path can produce (series pre-created at 0). */
export const LOG_DROP_REASONS: readonly LogDropReason[] = [
  'queue_full',
  'export_failed',
  'rejected',
  'exporter_unavailable',
]

export interface RunningLogs {
  /** Whether sdk-logs and the exporter were loaded (a logger emitted or was asked `enabled()`). */
  readonly loaded: boolean
  forceFlush(): Promise<void>
  shutdown(): Promise<void>
}

type SdkLogs = typeof import('@opentelemetry/sdk-logs')

function buildProvider(
  config: ResolvedConfig,
  resource: Resource,
  onDrop: (reason: LogDropReason, count: number) => void,
): SdkLoggerProvider {
  const sdk = require('@opentelemetry/sdk-logs') as SdkLogs
  const logFailure = rateLimitedLogger(60_000)
  const processors: LogRecordProcessor[] = []
  const exporters = new Set(config.logsExporter)
  if (exporters.has('otlp')) {
    const target = withoutUserinfo(config.otlp.logs.endpoint)
    processors.push(
      new sdk.BatchLogRecordProcessor({
        exporter: countingLogExporter(target, () => createOtlpLogExporter(config), onDrop, logFailure),
        maxQueueSize: config.blrpMaxQueueSize,
        maxExportBatchSize: config.blrpMaxExportBatchSize,
        scheduledDelayMillis: config.blrpScheduleDelayMs,
        exportTimeoutMillis: config.blrpExportTimeoutMs,
        selfObsMeterProvider: queueDropMeterProvider((count) => {
          onDrop('queue_full', count)
          logFailure(
            'warn',
            'queue_full',
            `log record queue full (${config.blrpMaxQueueSize}); dropping log records. The exporter to ${target} is slower than the log rate: check the collector, or raise OTEL_BLRP_MAX_QUEUE_SIZE`,
          )
        }),
      }),
    )
  }
  if (exporters.has('console')) {
    processors.push(new sdk.SimpleLogRecordProcessor({ exporter: createConsoleLogExporter() }))
  }
  return new sdk.LoggerProvider({ resource, processors })
}

/**
 * Starts the logs signal when `OTEL_LOGS_EXPORTER` names an exporter; undefined for `none`.
 * Never throws: a provider that cannot be built leaves logging as it was, with one warning.
 */
export function startLogs(
  config: ResolvedConfig,
  resource: Resource,
  telemetryDropped: Counter,
): RunningLogs | undefined {
  if (!logSendingEnabled(config)) return undefined
  const onDrop = (reason: LogDropReason, count: number) =>
    telemetryDropped.add(count, { signal: 'logs', reason })
  let real: SdkLoggerProvider | undefined
  let failed = false
  let stopped = false
  const realProvider = (): SdkLoggerProvider | undefined => {
    if (real === undefined && !failed && !stopped) {
      try {
        real = buildProvider(config, resource, onDrop)
      } catch (error) {
        failed = true
        log.warn(
          `the logs signal could not start (OTEL_LOGS_EXPORTER=${config.logsExporter.join(',')}): ${(error as Error).message}; log records are not sent, the service runs on`,
        )
      }
    }
    return real
  }
  const lazy: LoggerProvider = {
    getLogger(name: string, version?: string, options?: LoggerOptions): Logger {
      if (real !== undefined) return real.getLogger(name, version, options)
      let logger: Logger | undefined
      const resolve = (): Logger => {
        logger ??= realProvider()?.getLogger(name, version, options)
        return logger ?? createNoopLogger()
      }
      return {
        emit: (record) => resolve().emit(record),
        enabled: (query) => resolve().enabled(query),
      }
    },
  }
  logs.setGlobalLoggerProvider(lazy)
  const slots = globalThis as unknown as Record<symbol, unknown>
  const apiLogsGetter = (version: number) => (version === API_LOGS_VERSION ? lazy : undefined)
  if (slots[API_LOGS_KEY] === undefined) slots[API_LOGS_KEY] = apiLogsGetter
  return {
    get loaded() {
      return real !== undefined
    },
    async forceFlush() {
      await real?.forceFlush()
    },
    async shutdown() {
      stopped = true
      logs.disable()
      if (slots[API_LOGS_KEY] === apiLogsGetter) delete slots[API_LOGS_KEY]
      await real?.shutdown()
    },
  }
}
