/**
 * The pull path: a metric reader that collects on demand when Prometheus scrapes the ops
 * server's /metrics, and serialises with otelkit's own Prometheus text writer.
 *
 * A scrape never costs more than one render: scrapes that arrive while a render runs wait for it,
 * and a rendered text is served again for `cacheMs` after it was made. The text is kept once, as
 * UTF-8 chunks, and each response writes them as its socket drains (ops/send.ts), so a client
 * that does not read holds a slice of socket buffer, not a copy of the body.
 *
 * The format follows the request's `Accept` header (negotiate.ts): OpenMetrics 1.0 with exemplars
 * and `_created` for scrapers that ask for it, text format 0.0.4 otherwise. Each format has its
 * own cached render.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Meter } from '@opentelemetry/api'
import { AggregationTemporality, type MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics'
import { log } from '../logger.js'
import { sendBuffer } from '../ops/send.js'
import { settledAttributes } from '../sdk/resource.js'
import { contentType, negotiateFormat } from './negotiate.js'
import { type ExpositionFormat, renderPrometheus, serializePrometheus } from './prometheus-text.js'

export { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './negotiate.js'

/**
 * Renders still being written to slow clients that may be kept alive at once. When this many are
 * pinned, an expired render is served again instead of a new one being made, so clients that
 * never read cannot make otelkit hold one body per render.
 */
const MAX_PINNED_RENDERS = 2

/** Options of the pull reader. */
export interface PrometheusPullReaderOptions {
  /** How long a rendered text is served again, in ms (0: a new render per scrape). @default 1000 */
  cacheMs?: number
  /** Called after each render with its wall time in seconds and its size in bytes. */
  onRender?: (seconds: number, bytes: number) => void
}

interface Render {
  /** The text as UTF-8 chunks. */
  body: readonly Buffer[]
  bytes: number
  /** performance.now() when the render finished. */
  at: number
  /** Responses still writing this body. */
  writers: number
}

/** The latest and the running render of one format. */
interface FormatState {
  latest: Render | undefined
  rendering: Promise<Render> | undefined
}

export class PrometheusPullReader extends MetricReader {
  private readonly cacheMs: number
  private readonly onRender: PrometheusPullReaderOptions['onRender']
  private readonly states: Record<ExpositionFormat, FormatState> = {
    prometheus: { latest: undefined, rendering: undefined },
    openmetrics: { latest: undefined, rendering: undefined },
  }
  private readonly pinned = new Set<Render>()

  constructor(metricProducers: MetricProducer[], options: PrometheusPullReaderOptions = {}) {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      metricProducers,
    })
    this.cacheMs = options.cacheMs ?? 1000
    this.onRender = options.onRender
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }

  private async collectMetrics() {
    const { resourceMetrics, errors } = await this.collect({ timeoutMillis: 10_000 })
    if (errors.length > 0)
      log.debug(`metric collection reported ${errors.length} error(s): ${String(errors[0])}`)
    // target_info needs every resource attribute, a cloud detector's included.
    await settledAttributes(resourceMetrics.resource)
    return resourceMetrics
  }

  /** Collects every instrument and returns the exposition text (a fresh render, not shared). */
  async scrape(format: ExpositionFormat = 'prometheus'): Promise<string> {
    return serializePrometheus(await this.collectMetrics(), format).text
  }

  /** The text to serve now: the latest render while fresh, the running one, or a new one. */
  rendered(format: ExpositionFormat = 'prometheus'): Promise<Render> {
    const state = this.states[format]
    const latest = state.latest
    if (latest !== undefined) {
      const fresh = performance.now() - latest.at < this.cacheMs
      if (fresh || (state.rendering === undefined && this.pinned.size >= MAX_PINNED_RENDERS)) {
        return Promise.resolve(latest)
      }
    }
    state.rendering ??= this.render(state, format).finally(() => {
      state.rendering = undefined
    })
    return state.rendering
  }

  private async render(state: FormatState, format: ExpositionFormat): Promise<Render> {
    const started = performance.now()
    const { chunks, bytes } = await renderPrometheus(await this.collectMetrics(), undefined, format)
    const render: Render = { body: chunks, bytes, at: performance.now(), writers: 0 }
    state.latest = render
    this.onRender?.((render.at - started) / 1000, bytes)
    return render
  }

  /** Handler for the ops server's /metrics route. */
  readonly handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const format = negotiateFormat(req.headers.accept)
    const render = await this.rendered(format)
    render.writers++
    this.pinned.add(render)
    try {
      await sendBuffer(res, 200, { 'content-type': contentType(format), vary: 'Accept' }, render.body)
    } finally {
      if (--render.writers === 0) this.pinned.delete(render)
    }
  }
}

/**
 * `otelkit.metrics.render.duration` (one count per render: shared and cached scrapes add none)
 * and `otelkit.metrics.render.size` (bytes of the latest render); returns the recorder.
 */
export function metricsRenderRecorder(meter: Meter): (seconds: number, bytes: number) => void {
  const duration = meter.createHistogram('otelkit.metrics.render.duration', {
    description:
      'Time to collect and render the /metrics text (wall time; the render yields to the event loop).',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
  })
  let lastBytes: number | undefined
  meter
    .createObservableGauge('otelkit.metrics.render.size', {
      description: 'Size of the latest rendered /metrics text.',
      unit: 'By',
    })
    .addCallback((result) => {
      if (lastBytes !== undefined) result.observe(lastBytes)
    })
  return (seconds, bytes) => {
    duration.record(seconds)
    lastBytes = bytes
  }
}
