/**
 * The rendered /metrics stays under its documented bound at the caps: every per-request latency
 * histogram at its 2,000-series cap, every data-fed label at its value and length limits; in
 * OpenMetrics too, with an exemplar on every bucket of every series and `_created` lines.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Attributes, TraceFlags, trace } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import {
  createSdkInstruments,
  LATENCY_BUCKETS_SECONDS,
  type SdkInstruments,
} from '../src/metrics/instruments.js'
import {
  type ExpositionFormat,
  METRICS_SIZE_BOUNDS,
  renderPrometheus,
} from '../src/metrics/prometheus-text.js'
import { PACKAGE_DIR } from './support/service.js'

/** A value longer than the 128-character limit, distinct per `i`. */
const long = (prefix: string, i: number) => `${prefix}${i}-`.padEnd(300, 'x')

/** A sampled span: its ids become exemplars. */
const SAMPLED = trace.wrapSpanContext({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
})
/** One value per bucket (the last one past every boundary), with digits as a measured duration has. */
const PER_BUCKET = [...LATENCY_BUCKETS_SECONDS.map((b) => b * 0.987654321012345), 31.23456789012345]

type Fill = (instruments: SdkInstruments, i: number, error: string, value: number) => void
const FILLS: Record<string, Fill> = {
  'http.server.request.duration': (ins, i, error, value) =>
    ins.httpServerDuration.record(
      `k${i}`,
      value,
      (): Attributes => ({
        'http.request.method': 'OPTIONS',
        'http.response.status_code': 500 + Math.floor(i / 125),
        'url.scheme': 'https',
        'network.protocol.version': '1.1',
        'http.route': long('/route/', i % 125),
        'error.type': error,
      }),
      SAMPLED,
      1_796_081_525_323.5,
    ),
  'http.client.request.duration': (ins, i, error, value) =>
    ins.httpClientDuration.record(
      `k${i}`,
      value,
      (): Attributes => ({
        'http.request.method': 'OPTIONS',
        'server.address': long('host-', i % 125),
        'server.port': 65_535 - Math.floor(i / 125),
        'http.response.status_code': 503,
        'error.type': error,
      }),
      SAMPLED,
      1_796_081_525_323.5,
    ),
  'db.client.operation.duration': (ins, i, error, value) =>
    ins.dbClientDuration.record(
      `k${i}`,
      value,
      (): Attributes => ({
        'db.system.name': 'postgresql',
        'db.operation.name': long('OPERATION', Math.floor(i / 125)),
        'db.collection.name': long('table_', i % 125),
        'error.type': error,
      }),
      SAMPLED,
      1_796_081_525_323.5,
    ),
}

async function render(
  names: string[],
  format: ExpositionFormat,
): Promise<{ bytes: number; ms: number; text: string }> {
  const instruments = createSdkInstruments('test')
  for (let i = 0; i < 2500; i++) {
    const error = long('SomeVeryLongErrorType', Math.floor(i / 100) % 100)
    // In OpenMetrics, every bucket of every series gets an exemplar: the largest text.
    const values = format === 'openmetrics' ? PER_BUCKET : [0.01 * (i % 40)]
    for (const name of names) for (const value of values) FILLS[name]?.(instruments, i, error, value)
  }
  const { resourceMetrics } = (await instruments.producer.collect()) as { resourceMetrics: ResourceMetrics }
  const resource = resourceFromAttributes({
    'service.name': 's'.repeat(64),
    'service.namespace': 'n'.repeat(32),
    'deployment.environment.name': 'e'.repeat(32),
  })
  const started = performance.now()
  const result = await renderPrometheus({ ...resourceMetrics, resource }, undefined, format)
  const ms = performance.now() - started
  return { bytes: result.bytes, ms, text: Buffer.concat(result.chunks).toString('utf8') }
}

const CASES = Object.keys(FILLS).flatMap((name) =>
  (['prometheus', 'openmetrics'] as const).map((format) => [name, format] as const),
)

describe('/metrics size at the caps', () => {
  it.each(CASES)('%s alone stays under the per-histogram bound (%s)', async (name, format) => {
    const { bytes, text } = await render([name], format)
    process.stdout.write(`${name} at its cap (${format}): ${(bytes / 2 ** 20).toFixed(1)} MiB\n`)
    expect(text).toContain('="_OTHER"')
    expect(text.includes('x'.repeat(129))).toBe(false)
    if (format === 'openmetrics') expect(text).toContain(' # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"')
    expect(bytes).toBeLessThan(METRICS_SIZE_BOUNDS.perHistogramAtCap)
  })

  it.each(['prometheus', 'openmetrics'] as const)(
    'all three together stay under the total bound (%s)',
    async (format) => {
      const { bytes, ms } = await render(Object.keys(FILLS), format)
      process.stdout.write(
        `/metrics at the caps (${format}): ${(bytes / 2 ** 20).toFixed(1)} MiB in ${ms.toFixed(0)} ms\n`,
      )
      expect(bytes).toBeLessThan(METRICS_SIZE_BOUNDS.atCaps)
    },
  )

  it('the README states the bounds the code uses', () => {
    const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')
    const mib = (n: number) => `${n / 2 ** 20} MiB`
    expect(readme).toContain(mib(METRICS_SIZE_BOUNDS.perHistogramAtCap))
    expect(readme).toContain(mib(METRICS_SIZE_BOUNDS.atCaps))
  })
})
