/**
 * The pull path: a metric reader that collects on demand when Prometheus scrapes the ops
 * server's /metrics, and serialises with otelkit's own Prometheus text writer.
 *
 * A scrape never costs more than one render: scrapes that arrive while a render runs wait for it,
 * and a rendered text is served again for `cacheMs` after it was made. The text is kept once, as
 * UTF-8 chunks, and each response writes them as its socket drains (ops/send.ts), so a client
 * that does not read holds a slice of socket buffer, not a copy of the body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Meter } from '@opentelemetry/api'
import { AggregationTemporality, type MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics'
import { log } from '../logger.js'
import { sendBuffer } from '../ops/send.js'
import { renderPrometheus, serializePrometheus } from './prometheus-text.js'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

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

export class PrometheusPullReader extends MetricReader {
  private readonly cacheMs: number
  private readonly onRender: PrometheusPullReaderOptions['onRender']
  private latest: Render | undefined
  private rendering: Promise<Render> | undefined
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
    return resourceMetrics
  }

  /** Collects every instrument and returns the exposition text (a fresh render, not shared). */
  async scrape(): Promise<string> {
    return serializePrometheus(await this.collectMetrics()).text
  }

  /** The text to serve now: the latest render while fresh, the running one, or a new one. */
  rendered(): Promise<Render> {
    const latest = this.latest
    if (latest !== undefined) {
      const fresh = performance.now() - latest.at < this.cacheMs
      if (fresh || (this.rendering === undefined && this.pinned.size >= MAX_PINNED_RENDERS)) {
        return Promise.resolve(latest)
      }
    }
    this.rendering ??= this.render().finally(() => {
      this.rendering = undefined
    })
    return this.rendering
  }

  private async render(): Promise<Render> {
    const started = performance.now()
    const { chunks, bytes } = await renderPrometheus(await this.collectMetrics())
    const render: Render = { body: chunks, bytes, at: performance.now(), writers: 0 }
    this.latest = render
    this.onRender?.((render.at - started) / 1000, bytes)
    return render
  }

  /** Handler for the ops server's /metrics route. */
  readonly handler = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const render = await this.rendered()
    render.writers++
    this.pinned.add(render)
    try {
      await sendBuffer(res, 200, { 'content-type': PROMETHEUS_CONTENT_TYPE }, render.body)
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
