/**
 * Uncaught exceptions and unhandled rejections: recorded, flushed, and then left to Node.
 *
 * Why `process.on('uncaughtExceptionMonitor')` and nothing else:
 * - An 'uncaughtException' listener would change what the process does: its mere presence stops
 *   Node from exiting, so the SDK would have to re-implement Node's exit (message format, exit
 *   code, `--abort-on-uncaught-exception`) and would keep a corrupted process running while it
 *   flushed. An app that has its own listener would also see its behaviour depend on listener
 *   order.
 * - `process.setUncaughtExceptionCaptureCallback` replaces the 'uncaughtException' event
 *   altogether (and throws if the app, or a REPL/domain, already set one).
 * - An 'unhandledRejection' listener would mark every rejection handled, silently turning
 *   Node's default `--unhandled-rejections=throw` into "ignore".
 * The monitor only observes: it runs before Node's own handling (or the app's listeners) and
 * changes neither. In the default mode an unhandled rejection reaches it too, with origin
 * 'unhandledRejection'; under `--unhandled-rejections=warn|none`, or when the app has an
 * 'unhandledRejection' listener, Node does not treat it as fatal and it is not counted here.
 *
 * The monitor gets no further turn of the event loop when the process is about to exit, so the
 * flush is synchronous and bounded: one line on stderr, and, when traces and/or metrics go over
 * OTLP/HTTP, a blocking POST (with each signal's endpoint, headers and TLS) of the crash span and the `otelkit.errors` totals through a
 * short-lived child process (`sync-send.ts`), for at most `crashFlushTimeoutMs`. When the app
 * handles the exception itself (its own listener or capture callback), the process lives on:
 * the normal export pipeline sends the data, and nothing blocks.
 */
import { randomBytes } from 'node:crypto'
import { type Attributes, trace } from '@opentelemetry/api'
import type { OtlpSignalConfig } from '../config/otlp.js'
import type { ResolvedConfig } from '../config/resolved.js'
import { log } from '../logger.js'
import { otlpTls } from '../sdk/exporters.js'
import { describeThrown } from './describe-thrown.js'
import { type CrashSpan, sumPayload, tracesPayload } from './otlp-json.js'
import { ATTR_ERROR_CATEGORY, ATTR_ERROR_FINGERPRINT } from './span-processor.js'
import { type PostRequest, postSync } from './sync-send.js'
import type { ErrorTracker } from './tracker.js'

export interface CrashMonitorOptions {
  tracker: ErrorTracker
  config: ResolvedConfig
  timeoutMs: number
}

/** True when Node will end the process after the monitor returns. */
function isFatal(): boolean {
  return process.listenerCount('uncaughtException') === 0 && !process.hasUncaughtExceptionCaptureCallback()
}

function resourceOf(config: ResolvedConfig): Attributes {
  const resource: Attributes = { ...config.resourceAttributes, 'service.name': config.serviceName }
  if (config.serviceVersion !== undefined) resource['service.version'] = config.serviceVersion
  return resource
}

/**
 * Where the crash report of one signal goes: its OTLP/HTTP endpoint, headers and TLS material
 * (config.otlp.<signal>); undefined when the signal is not exported over OTLP/HTTP, or when its
 * TLS files cannot be used (then nothing is sent in clear).
 */
function crashTarget(
  exporters: readonly string[],
  signal: OtlpSignalConfig,
): Omit<PostRequest, 'body'> | undefined {
  if (!exporters.includes('otlp') || signal.protocol === 'grpc') return undefined
  const tls = otlpTls(signal)
  if (!tls.ok) return undefined
  const { ca, key, cert } = tls.material
  return {
    url: signal.endpoint,
    headers: { ...signal.headers, 'content-type': 'application/json' },
    tls: ca || key || cert ? { ca: ca?.toString(), key: key?.toString(), cert: cert?.toString() } : undefined,
  }
}

/** Starts watching; returns the function that stops it. */
export function installCrashMonitor(options: CrashMonitorOptions): () => void {
  const { tracker, config, timeoutMs } = options
  const onCrash = (error: unknown, origin: NodeJS.UncaughtExceptionOrigin): void => {
    try {
      const startMs = Date.now()
      const source = origin === 'unhandledRejection' ? 'unhandled-rejection' : 'uncaught-exception'
      const description = describeThrown(error, source)
      const active = trace.getActiveSpan()?.spanContext()
      const traceId = active?.traceId ?? randomBytes(16).toString('hex')
      const tracked = tracker.record(description, traceId)
      const fatal = isFatal()
      log.error(
        `${origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'} ${tracked.type}` +
          ` [${ATTR_ERROR_CATEGORY}=${tracked.category} ${ATTR_ERROR_FINGERPRINT}=${tracked.fingerprint} trace_id=${traceId}]` +
          (fatal ? '; the process exits as Node decides' : '; handled by the application'),
      )
      if (!fatal) return
      const requests: PostRequest[] = []
      const resource = resourceOf(config)
      const traces = crashTarget(config.tracesExporter, config.otlp.traces)
      const metrics = crashTarget(config.metricsExporter, config.otlp.metrics)
      if (traces !== undefined) {
        const marks = {
          [ATTR_ERROR_CATEGORY]: tracked.category,
          [ATTR_ERROR_FINGERPRINT]: tracked.fingerprint,
        }
        const span: CrashSpan = {
          traceId,
          spanId: randomBytes(8).toString('hex'),
          parentSpanId: active?.spanId,
          name: source === 'unhandled-rejection' ? 'unhandled rejection' : 'uncaught exception',
          startMs,
          endMs: Date.now(),
          attributes: { ...marks, 'error.type': tracked.type },
          exception: {
            'exception.type': tracked.type,
            'exception.message': description.message,
            ...(description.stack !== undefined ? { 'exception.stacktrace': description.stack } : {}),
            ...marks,
          },
          statusMessage: `${tracked.category} error ${tracked.type} [${tracked.fingerprint}]`,
        }
        requests.push({ ...traces, body: tracesPayload(resource, span) })
      }
      if (metrics !== undefined) {
        const body = sumPayload(
          resource,
          'otelkit.errors',
          'Failures by category',
          '{error}',
          tracker.startMs,
          Date.now(),
          tracker.seriesTotals(),
        )
        requests.push({ ...metrics, body })
      }
      if (requests.length > 0 && !postSync(requests, timeoutMs)) {
        log.warn(`the crash report could not be exported within ${timeoutMs} ms`)
      }
    } catch {
      // observing a crash must never add a second failure to it
    }
  }
  process.on('uncaughtExceptionMonitor', onCrash)
  return () => {
    process.off('uncaughtExceptionMonitor', onCrash)
  }
}
