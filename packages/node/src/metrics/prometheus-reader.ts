/**
 * The pull path: a metric reader that collects on demand when Prometheus scrapes the ops
 * server's /metrics, and serialises with otelkit's own Prometheus text writer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { AggregationTemporality, type MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics'
import { log } from '../logger.js'
import { serializePrometheus } from './prometheus-text.js'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export class PrometheusPullReader extends MetricReader {
  constructor(metricProducers: MetricProducer[]) {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      metricProducers,
    })
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }

  /** Collects every instrument and returns the exposition text. */
  async scrape(): Promise<string> {
    const { resourceMetrics, errors } = await this.collect({ timeoutMillis: 10_000 })
    if (errors.length > 0)
      log.debug(`metric collection reported ${errors.length} error(s): ${String(errors[0])}`)
    return serializePrometheus(resourceMetrics).text
  }

  /** Handler for the ops server's /metrics route. */
  readonly handler = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await this.scrape()
    res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(body)
  }
}
