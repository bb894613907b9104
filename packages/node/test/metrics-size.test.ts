/**
 * The rendered /metrics stays under its documented bound at the caps: every per-request latency
 * histogram at its 2,000-series cap, every data-fed label at its value and length limits.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Attributes } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import { createSdkInstruments, type SdkInstruments } from '../src/metrics/instruments.js'
import { METRICS_SIZE_BOUNDS, renderPrometheus } from '../src/metrics/prometheus-text.js'
import { PACKAGE_DIR } from './support/service.js'

/** A value longer than the 128-character limit, distinct per `i`. */
const long = (prefix: string, i: number) => `${prefix}${i}-`.padEnd(300, 'x')

type Fill = (instruments: SdkInstruments, i: number, error: string) => void
const FILLS: Record<string, Fill> = {
  'http.server.request.duration': (ins, i, error) =>
    ins.httpServerDuration.record(
      `k${i}`,
      0.01 * (i % 40),
      (): Attributes => ({
        'http.request.method': 'OPTIONS',
        'http.response.status_code': 500 + Math.floor(i / 125),
        'url.scheme': 'https',
        'network.protocol.version': '1.1',
        'http.route': long('/route/', i % 125),
        'error.type': error,
      }),
    ),
  'http.client.request.duration': (ins, i, error) =>
    ins.httpClientDuration.record(
      `k${i}`,
      0.01 * (i % 40),
      (): Attributes => ({
        'http.request.method': 'OPTIONS',
        'server.address': long('host-', i % 125),
        'server.port': 65_535 - Math.floor(i / 125),
        'http.response.status_code': 503,
        'error.type': error,
      }),
    ),
  'db.client.operation.duration': (ins, i, error) =>
    ins.dbClientDuration.record(
      `k${i}`,
      0.01 * (i % 40),
      (): Attributes => ({
        'db.system.name': 'postgresql',
        'db.operation.name': long('OPERATION', Math.floor(i / 125)),
        'db.collection.name': long('table_', i % 125),
        'error.type': error,
      }),
    ),
}

async function render(names: string[]): Promise<{ bytes: number; ms: number; text: string }> {
  const instruments = createSdkInstruments('test')
  for (let i = 0; i < 2500; i++) {
    const error = long('SomeVeryLongErrorType', Math.floor(i / 100) % 100)
    for (const name of names) FILLS[name]?.(instruments, i, error)
  }
  const { resourceMetrics } = (await instruments.producer.collect()) as { resourceMetrics: ResourceMetrics }
  const resource = resourceFromAttributes({
    'service.name': 's'.repeat(64),
    'service.namespace': 'n'.repeat(32),
    'deployment.environment.name': 'e'.repeat(32),
  })
  const started = performance.now()
  const result = await renderPrometheus({ ...resourceMetrics, resource })
  const ms = performance.now() - started
  return { bytes: result.bytes, ms, text: Buffer.concat(result.chunks).toString('utf8') }
}

describe('/metrics size at the caps', () => {
  it.each(Object.keys(FILLS))('%s alone stays under the per-histogram bound', async (name) => {
    const { bytes, text } = await render([name])
    process.stdout.write(`${name} at its cap: ${(bytes / 2 ** 20).toFixed(1)} MiB\n`)
    expect(text).toContain('="_OTHER"')
    expect(text.includes('x'.repeat(129))).toBe(false)
    expect(bytes).toBeLessThan(METRICS_SIZE_BOUNDS.perHistogramAtCap)
  })

  it('all three together stay under the total bound', async () => {
    const { bytes, ms } = await render(Object.keys(FILLS))
    process.stdout.write(`/metrics at the caps: ${(bytes / 2 ** 20).toFixed(1)} MiB in ${ms.toFixed(0)} ms\n`)
    expect(bytes).toBeLessThan(METRICS_SIZE_BOUNDS.atCaps)
  })

  it('the README states the bounds the code uses', () => {
    const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')
    const mib = (n: number) => `${n / 2 ** 20} MiB`
    expect(readme).toContain(mib(METRICS_SIZE_BOUNDS.perHistogramAtCap))
    expect(readme).toContain(mib(METRICS_SIZE_BOUNDS.atCaps))
  })
})
