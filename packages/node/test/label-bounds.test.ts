/**
 * Labels fed by data keep a bounded number of values per metric (then `_OTHER`, counted in
 * otelkit.telemetry.dropped{reason="label_overflow"}): the bound itself, otelkit's hot-path
 * histograms, SDK instruments through a view, and 1,000 real tables through the preload.
 */
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FastHistogram } from '../src/metrics/fast-instruments.js'
import {
  BOUNDED_LABELS,
  boundedLabelViews,
  LABEL_OVERFLOW_VALUE,
  LabelBound,
  MAX_LABEL_VALUE_LENGTH,
} from '../src/metrics/label-bounds.js'
import { PrometheusPullReader } from '../src/metrics/prometheus-reader.js'
import { killAll, seriesValue, startService } from './support/service.js'

/** Distinct values of `label` on the lines of `metric`. */
function labelValues(text: string, metric: string, label: string): Set<string> {
  const values = new Set<string>()
  const pattern = new RegExp(`[{,]${label}="([^"]*)"`)
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue
    const m = pattern.exec(line)
    if (m?.[1] !== undefined) values.add(m[1])
  }
  return values
}

describe('LabelBound', () => {
  it('keeps the first values, then answers _OTHER; known values stay; long ones are cut', () => {
    const bound = new LabelBound(['db.collection.name'], 3)
    const seen = ['a', 'b', 'c', 'd', 'a', 'e'].map(
      (v) => bound.apply({ 'db.collection.name': v, x: v })['db.collection.name'],
    )
    expect(seen).toEqual(['a', 'b', 'c', LABEL_OVERFLOW_VALUE, 'a', LABEL_OVERFLOW_VALUE])
    const attrs = { 'db.collection.name': 'b', x: 'unbounded' }
    expect(bound.apply(attrs)).toBe(attrs)
    const wide = new LabelBound(['http.route'])
    const cut = wide.apply({ 'http.route': `/${'a'.repeat(500)}` })['http.route'] as string
    expect(cut).toHaveLength(MAX_LABEL_VALUE_LENGTH)
    expect(wide.overflowed).toBe(false)
  })

  it('covers every data-fed label the README lists', () => {
    expect(BOUNDED_LABELS['db.client.operation.duration']).toEqual(
      expect.arrayContaining(['db.collection.name', 'db.operation.name', 'error.type']),
    )
    expect(BOUNDED_LABELS['http.server.request.duration']).toEqual(
      expect.arrayContaining(['http.route', 'error.type']),
    )
    expect(BOUNDED_LABELS['otelkit.errors']).toEqual(expect.arrayContaining(['http.route', 'error.type']))
  })
})

describe('bounded labels on metrics', () => {
  it('fold a hot-path histogram to 100 values plus _OTHER, counting each folded measurement', () => {
    let overflows = 0
    const h = new FastHistogram({ name: 'db.client.operation.duration', unit: 's', description: '' }, [1], {
      labelBound: new LabelBound(['db.collection.name'], 100),
      onLabelOverflow: () => overflows++,
    })
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 250; i++) h.record(`t${i}`, 0.1, () => ({ 'db.collection.name': `t${i}` }))
    }
    expect(h.size).toBe(101)
    expect(overflows).toBe(300)
    const other = h
      .toMetricData([0, 0], [1, 0])
      .dataPoints.find((p) => p.attributes['db.collection.name'] === LABEL_OVERFLOW_VALUE)
    expect((other?.value as { count: number } | undefined)?.count).toBe(300)
  })

  it('fold SDK instruments (otelkit.errors) through a view', async () => {
    let overflows = 0
    const reader = new PrometheusPullReader([])
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'views' }),
      readers: [reader],
      views: boundedLabelViews(100, () => overflows++),
    })
    const counter = provider.getMeter('t').createCounter('otelkit.errors')
    for (let i = 0; i < 150; i++) counter.add(1, { 'error.category': 'server', 'error.type': `Error${i}` })
    const text = await reader.scrape()
    await provider.shutdown()
    const types = labelValues(text, 'otelkit_errors_total', 'error_type')
    expect(types.size).toBe(101)
    expect(types.has(LABEL_OVERFLOW_VALUE)).toBe(true)
    expect(seriesValue(text, 'otelkit_errors_total', ['error_type="_OTHER"'])).toBe(50)
    expect(overflows).toBe(50)
  })
})

describe('1,000 tables through real pg queries under the preload', () => {
  const schema = `otelkit_labels_${process.pid}_${Date.now() % 100_000}`
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' })
  beforeAll(async () => {
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    await admin.query(
      `DO $$ BEGIN FOR i IN 0..999 LOOP EXECUTE format('CREATE TABLE ${schema}.t%s (id int)', i); END LOOP; END $$`,
    )
  }, 60_000)
  afterAll(async () => {
    killAll()
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })

  it('give at most 100 db_collection_name values plus _OTHER on /metrics', async () => {
    const service = await startService({
      fixture: 'metrics-app.mjs',
      env: { OTEL_SERVICE_NAME: 'tables', TABLE_SCHEMA: schema },
    })
    try {
      let next = 0
      const statuses: number[] = []
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < 1000) {
            const res = await service.get(`/table/t${next++}`)
            await res.arrayBuffer()
            statuses.push(res.status)
          }
        }),
      )
      expect(statuses.filter((s) => s !== 200)).toEqual([])
      const text = await service.metrics()
      const metric = 'db_client_operation_duration_seconds_count'
      const tables = labelValues(text, metric, 'db_collection_name')
      expect(tables.size).toBe(101)
      expect(tables.has(LABEL_OVERFLOW_VALUE)).toBe(true)
      expect(seriesValue(text, metric, ['db_system_name="postgresql"'])).toBe(1000)
      expect(seriesValue(text, metric, ['db_collection_name="_OTHER"'])).toBe(900)
      expect(
        seriesValue(text, 'otelkit_telemetry_dropped_total', ['signal="metrics"', 'reason="label_overflow"']),
      ).toBe(900)
    } finally {
      await service.stop()
    }
  }, 60_000)
})
