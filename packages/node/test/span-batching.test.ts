/**
 * The batching span processor on otelkit's OTLP protobuf sink, in process against the test
 * receiver: a full queue drops (and counts) the newest spans while a batch is in flight, batches
 * are at most the configured size, and what was kept reaches the receiver oldest first.
 */
import { resourceFromAttributes } from '@opentelemetry/resources'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load.js'
import { BatchingSpanProcessor, type DropReason } from '../src/sdk/span-export.js'
import { otlpProtobufSink } from '../src/sdk/span-sinks.js'
import { fromProtobuf, startOtlpReceiver } from './support/otlp-receiver.js'
import { otelkitProvider } from './support/span-collector.js'

describe('BatchingSpanProcessor with the OTLP protobuf sink', () => {
  it('drops the newest spans when the queue is full, sends batches of the configured size, oldest first', async () => {
    const receiver = await startOtlpReceiver()
    const resource = resourceFromAttributes({ 'service.name': 'batching' })
    const config = loadConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url })
    const drops: Array<[DropReason, number]> = []
    const processor = new BatchingSpanProcessor(otlpProtobufSink(config, resource), {
      maxQueueSize: 5,
      maxExportBatchSize: 2,
      scheduledDelayMs: 60_000,
      exportTimeoutMs: 10_000,
      onDrop: (reason, count) => drops.push([reason, count]),
    })
    try {
      const tracer = otelkitProvider({ resource, spanProcessors: [processor] }).getTracer('batching')
      // Span 2 fills a batch, which is taken at once (its export in flight); spans 3-7 fill the
      // queue of 5 while it is; spans 8-13 find it full.
      for (let i = 1; i <= 13; i++) tracer.startSpan(`s${i}`).end()
      expect(drops).toEqual(Array.from({ length: 6 }, () => ['queue_full', 1]))
      await processor.forceFlush()
      expect(receiver.spans.map((s) => s.name)).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7'])
      expect(receiver.requests.map((r) => fromProtobuf(r.body).length)).toEqual([2, 2, 2, 1])
      // A later span starts a new round: the counts went back to zero.
      tracer.startSpan('s14').end()
      await processor.forceFlush()
      expect(receiver.spans.at(-1)?.name).toBe('s14')
      expect(drops).toHaveLength(6)
    } finally {
      await processor.shutdown()
      await receiver.close()
    }
  })
})
