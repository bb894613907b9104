/**
 * Counts log records the batch processor drops because its queue is full. The upstream
 * processor reports them only as its self-observability metric
 * `otel.sdk.processor.log.processed{error.type="queue_full"}`; this meter provider receives that
 * metric and turns it into a callback, everything else it is given is a no-op.
 */
import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Meter,
  type MeterProvider,
} from '@opentelemetry/api'

export function queueDropMeterProvider(onQueueFull: (count: number) => void): MeterProvider {
  const noop = createNoopMeter()
  const counter: Counter = {
    add(count: number, attributes?: Attributes) {
      if (attributes?.['error.type'] === 'queue_full') onQueueFull(count)
    },
  }
  const meter: Meter = Object.assign(Object.create(noop) as Meter, { createCounter: () => counter })
  return { getMeter: () => meter }
}
