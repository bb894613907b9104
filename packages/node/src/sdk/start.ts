/**
 * Starts and stops the SDK: context and propagation, resource, metric readers (Prometheus pull
 * on the ops server and/or OTLP push), the tracer provider with otelkit's span processors,
 * the catalog's instrumentations (each installed when its module first loads), features (health, resources, errors, profiling),
 * the ops server and flush-on-exit. Nothing here throws into the host once config is valid.
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api'
import { type IMetricReader, MeterProvider } from '@opentelemetry/sdk-metrics'
import type { SpanProcessor } from '@opentelemetry/sdk-trace'
import type { ResolvedConfig } from '../config/resolved.js'
import { routeDiag } from '../diag.js'
import { ErrorSpanProcessor } from '../errors-tracking/span-processor.js'
import { type ActiveInstrumentations, activateInstrumentations } from '../instrumentations/activate.js'
import type { CatalogEntry } from '../instrumentations/catalog.js'
import { log, setLogLevel } from '../logger.js'
import { LOG_DROP_REASONS, startLogs } from '../logs/provider.js'
import { ClientSpanProcessor } from '../metrics/client-span-processor.js'
import { createSdkInstruments } from '../metrics/instruments.js'
import { boundedLabelViews } from '../metrics/label-bounds.js'
import { metricsRenderRecorder, PrometheusPullReader } from '../metrics/prometheus-reader.js'
import { requireBearerToken } from '../ops/auth.js'
import { registerOpsRoute, unregisterOpsRoute } from '../ops/routes.js'
import { type RunningOpsServer, startOpsServer } from '../ops/server.js'
import { PrivacySpanProcessor } from '../privacy/span-processor.js'
import { QueryTracker } from '../queries/tracker.js'
import { OtelkitContextManager } from '../trace/context-manager.js'
import { samplingDecision } from '../trace/sampling.js'
import { OtelkitTracerProvider } from '../trace/tracer.js'
import { OTELKIT_VERSION } from '../version.js'
import type { Feature, SdkContext } from './context.js'
import { createConsoleMetricExporter, createConsoleSpanExporter } from './exporters.js'
import { createFeatures } from './features.js'
import { attachLifecycle, type Lifecycle, withTimeout } from './lifecycle.js'
import { type MetricDropReason, otlpMetricReader, periodicReader } from './metric-export.js'
import { buildPropagator } from './propagators.js'
import { buildResource } from './resource.js'
import { BatchingSpanProcessor, type DropReason } from './span-export.js'
import { SpanLimitsProcessor } from './span-limits.js'
import { exporterSink, otlpSpanSink } from './span-sinks.js'

/**
 * Whether a span processor is one of otelkit's own that reads an unsampled client span that
 * succeeded only to count its duration (the client span processor, which then counts calls that
 * made no span: trace/quiet-calls.ts) or not at all: privacy and error tracking read failures,
 * the span limits events, the batching processors sampled spans. A user's processor sees every span.
 */
function readsOnlyFailedOrSampledClientSpans(processor: SpanProcessor): boolean {
  return (
    processor instanceof PrivacySpanProcessor ||
    processor instanceof ClientSpanProcessor ||
    processor instanceof ErrorSpanProcessor ||
    processor instanceof SpanLimitsProcessor ||
    processor instanceof BatchingSpanProcessor
  )
}

export interface RunningSdk {
  readonly config: ResolvedConfig
  /** Instrumentations installed so far (each is installed when its module first loads). */
  readonly instrumentations: readonly string[]
  /** The ops server's bound port once listening (undefined before, or if it could not bind). */
  opsPort(): number | undefined
  /** Flushes and stops everything; safe to call more than once. */
  shutdown(): Promise<void>
  /** Flushes spans and pushed metrics now. */
  forceFlush(): Promise<void>
}

let running: RunningSdk | undefined

export function currentSdk(): RunningSdk | undefined {
  return running
}

function diagLevel(config: ResolvedConfig) {
  return config.logLevel === 'verbose' || config.logLevel === 'all' ? 'debug' : config.logLevel
}

/** Starts the SDK with a resolved config. Returns the running SDK (a no-op one when disabled). */
export function startSdk(
  config: ResolvedConfig,
  selected: readonly CatalogEntry[],
  features: readonly Feature[] = createFeatures(),
  /** The user's own span processors (`start({ spanProcessors })`), after otelkit's, before export. */
  userProcessors: readonly SpanProcessor[] = [],
): RunningSdk {
  setLogLevel(diagLevel(config))
  if (config.disabled) {
    log.info('OTEL_SDK_DISABLED=true: telemetry is off')
    const noop: RunningSdk = {
      config,
      instrumentations: [],
      opsPort: () => undefined,
      shutdown: async () => {
        if (running === noop) running = undefined
      },
      forceFlush: async () => {},
    }
    running = noop
    return noop
  }

  // Upstream instrumentations, the SDK and exporters report through diag: into otelkit's log.
  const diagRoute = routeDiag(config.logLevel)
  const contextManager = new OtelkitContextManager().enable()
  context.setGlobalContextManager(contextManager)
  propagation.setGlobalPropagator(buildPropagator(config.propagators))
  const resource = buildResource(config)
  // Late-bound: the counters they feed exist once the meter provider does.
  let onLabelOverflow: () => void = () => {}
  let onRender: (seconds: number, bytes: number) => void = () => {}
  const instruments = createSdkInstruments(OTELKIT_VERSION, {
    labelValuesMax: config.metricsLabelValuesMax,
    onLabelOverflow: () => onLabelOverflow(),
  })
  const producers = [instruments.producer]
  const readers: IMetricReader[] = []
  let prometheus: PrometheusPullReader | undefined
  let onMetricDrop: (n: number, reason: MetricDropReason) => void = () => {}
  const exporters = new Set(config.metricsExporter)
  if (exporters.has('prometheus')) {
    prometheus = new PrometheusPullReader(producers, {
      cacheMs: config.metricsCacheMs,
      onRender: (seconds, bytes) => onRender(seconds, bytes),
    })
    readers.push(prometheus)
  }
  if (exporters.has('otlp')) {
    readers.push(otlpMetricReader(config, producers, (n, reason) => onMetricDrop(n, reason)))
  }
  if (exporters.has('console')) {
    readers.push(
      periodicReader(
        createConsoleMetricExporter(),
        config.metricExportIntervalMs,
        config.metricExportTimeoutMs,
        producers,
      ),
    )
  }
  const views = boundedLabelViews(config.metricsLabelValuesMax, () => onLabelOverflow())
  const meterProvider = new MeterProvider({ resource, readers, views })
  metrics.setGlobalMeterProvider(meterProvider)
  const meter = meterProvider.getMeter('@otelkit/node', OTELKIT_VERSION)
  const telemetryDropped = meter.createCounter('otelkit.telemetry.dropped', {
    description: 'Telemetry otelkit could not deliver or keep (spans, metric points), by signal and reason.',
    unit: '{item}',
  })
  onMetricDrop = (n, reason) => telemetryDropped.add(n, { signal: 'metrics', reason })
  const labelOverflow = { signal: 'metrics', reason: 'label_overflow' }
  onLabelOverflow = () => telemetryDropped.add(1, labelOverflow)
  if (prometheus) onRender = metricsRenderRecorder(meter)
  let active: ActiveInstrumentations | undefined
  meter
    .createObservableGauge('otelkit.instrumentation.enabled', {
      description: 'Instrumentations otelkit loaded in this process (1 per loaded instrumentation).',
      unit: '{instrumentation}',
    })
    .addCallback((result) => {
      for (const name of active?.loaded ?? []) result.observe(1, { instrumentation: name })
    })

  const queries = new QueryTracker({ slowMs: config.slowQueryMs })
  // Privacy first: later processors (metrics, error tracking, export) see scrubbed spans.
  const clientSpans = new ClientSpanProcessor(instruments, queries)
  const spanProcessors: SpanProcessor[] = [new PrivacySpanProcessor(), clientSpans]
  const shutdownHooks: Array<() => void | Promise<void>> = []
  let installing = true
  const ctx: SdkContext = {
    config,
    meterProvider,
    meter,
    telemetryDropped,
    addSpanProcessor(processor) {
      if (!installing) throw new Error('addSpanProcessor is only valid while a feature installs')
      spanProcessors.push(processor)
    },
    onShutdown(hook) {
      shutdownHooks.push(hook)
    },
  }
  for (const feature of features) {
    try {
      feature.install(ctx)
    } catch (error) {
      log.warn(
        `feature "${feature.name}" could not start: ${(error as Error).message}; the service runs on without it`,
      )
    }
  }
  installing = false
  spanProcessors.push(...userProcessors)
  // After every processor that may change a span's events, before any that exports it.
  spanProcessors.push(new SpanLimitsProcessor(config.spanLimits))

  const tracesExporters = new Set(config.tracesExporter)
  const batchOptions = {
    maxQueueSize: config.bspMaxQueueSize,
    maxExportBatchSize: config.bspMaxExportBatchSize,
    scheduledDelayMs: config.bspScheduleDelayMs,
    exportTimeoutMs: config.bspExportTimeoutMs,
    onDrop: (reason: DropReason, count: number) => telemetryDropped.add(count, { signal: 'traces', reason }),
  }
  // Every drop series a configured path can produce exists from start-up at 0, so the first
  // drop is an increase that rate() and increase() see (a counter born at 1 would hide it).
  const dropSeries: Array<{ signal: string; reason: string }> = [labelOverflow]
  if (tracesExporters.has('otlp')) {
    for (const reason of ['queue_full', 'export_failed', 'rejected', 'exporter_unavailable']) {
      dropSeries.push({ signal: 'traces', reason })
    }
  }
  if (exporters.has('otlp')) {
    for (const reason of ['export_failed', 'exporter_unavailable'])
      dropSeries.push({ signal: 'metrics', reason })
  }
  if (config.logsExporter.includes('otlp')) {
    for (const reason of LOG_DROP_REASONS) dropSeries.push({ signal: 'logs', reason })
  }
  for (const attributes of dropSeries) telemetryDropped.add(0, attributes)
  if (tracesExporters.has('otlp')) {
    spanProcessors.push(new BatchingSpanProcessor(otlpSpanSink(config, resource), batchOptions))
  }
  if (tracesExporters.has('console')) {
    spanProcessors.push(
      new BatchingSpanProcessor(exporterSink('console', createConsoleSpanExporter), batchOptions),
    )
  }
  const tracerProvider = new OtelkitTracerProvider({
    resource,
    sample: samplingDecision(config),
    spanLimits: config.spanLimits,
    spanProcessors,
    quietDbCalls: spanProcessors.every(readsOnlyFailedOrSampledClientSpans) ? clientSpans : undefined,
  })
  // Before the instrumentations: pino, winston and bunyan send through the global logger provider.
  const logSignal = startLogs(config, resource, telemetryDropped)
  trace.setGlobalTracerProvider(tracerProvider)
  const tracer = tracerProvider.getTracer('@otelkit/node', OTELKIT_VERSION)

  active = activateInstrumentations(selected, {
    config,
    tracerProvider,
    tracer,
    instruments,
    explicitlyEnabled: new Set(config.enabledInstrumentations ?? []),
  })

  if (prometheus) {
    registerOpsRoute(
      '/metrics',
      requireBearerToken(config.metricsToken, 'OTELKIT_METRICS_TOKEN', prometheus.handler),
    )
  }
  registerOpsRoute(
    '/debug/queries',
    (_req, res, url) => {
      const limit = Math.min(500, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50))
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ statements: queries.top(limit) }))
    },
    { debug: true },
  )
  let ops: RunningOpsServer | undefined
  try {
    ops = startOpsServer({ port: config.opsPort, host: config.opsHost, debugToken: config.debugToken })
  } catch (error) {
    log.warn(`ops server could not start: ${(error as Error).message}; the service runs on without it`)
  }

  let lifecycle: Lifecycle | undefined
  let stopped: Promise<void> | undefined
  const sdk: RunningSdk = {
    config,
    instrumentations: active.loaded,
    opsPort: () => ops?.port,
    forceFlush: async () => {
      await Promise.allSettled([
        tracerProvider.forceFlush(),
        meterProvider.forceFlush(),
        logSignal?.forceFlush(),
      ])
    },
    shutdown() {
      stopped ??= (async () => {
        lifecycle?.detach()
        active?.uninstall()
        await Promise.allSettled(shutdownHooks.map(async (hook) => hook()))
        await withTimeout(
          Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), logSignal?.shutdown()]),
          config.shutdownTimeoutMs,
        )
        unregisterOpsRoute('/metrics')
        unregisterOpsRoute('/debug/queries')
        await ops?.close()
        trace.disable()
        metrics.disable()
        propagation.disable()
        context.disable()
        diagRoute.stop()
        if (running === sdk) running = undefined
      })()
      return stopped
    },
  }
  lifecycle = attachLifecycle(() => sdk.shutdown(), config.shutdownTimeoutMs)
  running = sdk
  log.debug(
    `started: service ${config.serviceName}, instrumentations ${selected.map((e) => e.name).join(', ')}`,
  )
  return sdk
}
