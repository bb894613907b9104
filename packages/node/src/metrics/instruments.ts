/**
 * The per-request instruments of the SDK (HTTP server and client, database/Redis clients),
 * created once per SDK start and read by every metric reader through `producer`.
 */
import { FastHistogram, FastInstrumentProducer, FastUpDownCounter } from './fast-instruments.js'
import {
  BOUNDED_LABELS,
  DEFAULT_LABEL_VALUES_MAX,
  LabelBound,
  type LabelOverflowListener,
} from './label-bounds.js'

/**
 * Bucket boundaries in seconds for request and query latency: fine below 10 ms where fast
 * endpoints and cache hits live, dense enough from 10 ms to 1 s for p50–p99.9 of a web service,
 * and a tail up to 30 s for timeouts.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1,
  1.5, 2.5, 5, 7.5, 10, 30,
]

export interface SdkInstruments {
  producer: FastInstrumentProducer
  httpServerDuration: FastHistogram
  httpServerActive: FastUpDownCounter
  httpServerQueueTime: FastHistogram
  httpClientDuration: FastHistogram
  dbClientDuration: FastHistogram
  messagingClientDuration: FastHistogram
  messagingProcessDuration: FastHistogram
  rpcServerDuration: FastHistogram
  rpcClientDuration: FastHistogram
}

/** Options of the per-request instruments. */
export interface SdkInstrumentsOptions {
  /** Distinct values kept per data-fed label and metric (see label-bounds.ts). @default 100 */
  labelValuesMax?: number
  /** Called per measurement recorded under `_OTHER`. */
  onLabelOverflow?: LabelOverflowListener
}

export function createSdkInstruments(version: string, options: SdkInstrumentsOptions = {}): SdkInstruments {
  const producer = new FastInstrumentProducer({ name: '@otelkit/node', version })
  const bounded = (name: string) => {
    const labels = BOUNDED_LABELS[name]
    return {
      labelBound: labels
        ? new LabelBound(labels, options.labelValuesMax ?? DEFAULT_LABEL_VALUES_MAX)
        : undefined,
      onLabelOverflow: options.onLabelOverflow,
    }
  }
  return {
    producer,
    httpServerDuration: producer.add(
      new FastHistogram(
        { name: 'http.server.request.duration', unit: 's', description: 'Duration of HTTP server requests.' },
        LATENCY_BUCKETS_SECONDS,
        bounded('http.server.request.duration'),
      ),
    ),
    httpServerActive: producer.add(
      new FastUpDownCounter({
        name: 'http.server.active_requests',
        unit: '{request}',
        description: 'Number of active HTTP server requests.',
      }),
    ),
    httpServerQueueTime: producer.add(
      new FastHistogram(
        {
          name: 'http.server.request.queue_time',
          unit: 's',
          description: 'Time a request waited in front proxies and queues before the service received it.',
        },
        LATENCY_BUCKETS_SECONDS,
      ),
    ),
    httpClientDuration: producer.add(
      new FastHistogram(
        { name: 'http.client.request.duration', unit: 's', description: 'Duration of HTTP client requests.' },
        LATENCY_BUCKETS_SECONDS,
        bounded('http.client.request.duration'),
      ),
    ),
    dbClientDuration: producer.add(
      new FastHistogram(
        {
          name: 'db.client.operation.duration',
          unit: 's',
          description: 'Duration of database client operations (every database client instrumented).',
        },
        LATENCY_BUCKETS_SECONDS,
        bounded('db.client.operation.duration'),
      ),
    ),
    messagingClientDuration: producer.add(
      new FastHistogram(
        {
          name: 'messaging.client.operation.duration',
          unit: 's',
          description: 'Duration of messaging operations a client initiates (publish, send, receive).',
        },
        LATENCY_BUCKETS_SECONDS,
        bounded('messaging.client.operation.duration'),
      ),
    ),
    messagingProcessDuration: producer.add(
      new FastHistogram(
        {
          name: 'messaging.process.duration',
          unit: 's',
          description: 'Duration of processing a received message (the consumer callback).',
        },
        LATENCY_BUCKETS_SECONDS,
        bounded('messaging.process.duration'),
      ),
    ),
    rpcServerDuration: producer.add(
      new FastHistogram(
        { name: 'rpc.server.duration', unit: 's', description: 'Duration of RPCs a server handled (gRPC).' },
        LATENCY_BUCKETS_SECONDS,
        bounded('rpc.server.duration'),
      ),
    ),
    rpcClientDuration: producer.add(
      new FastHistogram(
        { name: 'rpc.client.duration', unit: 's', description: 'Duration of RPCs a client made (gRPC).' },
        LATENCY_BUCKETS_SECONDS,
        bounded('rpc.client.duration'),
      ),
    ),
  }
}
