/** Unit tests of the pure pieces: SQL normalisation, Prometheus naming, fast instruments, headers. */
import { TraceFlags, ValueType } from '@opentelemetry/api'
import { emptyResource, resourceFromAttributes } from '@opentelemetry/resources'
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import { normalizeMethod, parseQueueStart } from '../src/instrumentations/http-common.js'
import {
  type BucketExemplars,
  FastHistogram,
  FastUpDownCounter,
  type HistogramWithExemplars,
} from '../src/metrics/fast-instruments.js'
import { prometheusName, serializePrometheus } from '../src/metrics/prometheus-text.js'
import { normalizeSql, sqlCollection, sqlOperation } from '../src/queries/normalize.js'

describe('normalizeSql', () => {
  it.each([
    [
      "SELECT * FROM users WHERE email = 'a@b.c' AND id = 42",
      'SELECT * FROM users WHERE email = ? AND id = ?',
    ],
    ['SELECT * FROM t WHERE id IN ($1, $2, $3)', 'SELECT * FROM t WHERE id IN (?)'],
    ["INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')", 'INSERT INTO t (a, b) VALUES (?)'],
    ["SELECT 'it''s' AS s, -3.5e2 AS n, TRUE", 'SELECT ? AS s, ? AS n, ?'],
    ['SELECT $$secret body$$ AS x', 'SELECT ? AS x'],
    ['SELECT x FROM t -- trailing secret 99\nWHERE y = 0x1F', 'SELECT x FROM t WHERE y = ?'],
    ['SELECT * FROM t2 WHERE c1 = 5 /* note 7 */', 'SELECT * FROM t2 WHERE c1 = ?'],
  ])('%s', (input, expected) => {
    expect(normalizeSql(input)).toBe(expected)
  })

  it('treats double quotes as strings for MySQL and as identifiers for PostgreSQL', () => {
    expect(normalizeSql('SELECT "col" FROM t WHERE a = "x"', true)).toBe('SELECT ? FROM t WHERE a = ?')
    expect(normalizeSql('SELECT "col" FROM t WHERE a = 1')).toBe('SELECT "col" FROM t WHERE a = ?')
  })

  it('finds operation and collection', () => {
    expect(sqlOperation('select * from orders')).toBe('SELECT')
    expect(sqlCollection('SELECT * FROM public.orders o JOIN items i')).toBe('public.orders')
    expect(sqlCollection('INSERT INTO `order_items` (a) VALUES (?)')).toBe('order_items')
    expect(sqlCollection('UPDATE products SET stock = ?')).toBe('products')
    expect(sqlCollection('BEGIN')).toBeUndefined()
  })
})

function metric(name: string, unit: string, type: DataPointType, monotonic = true): MetricData {
  return {
    descriptor: { name, unit, description: 'd', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: type,
    isMonotonic: monotonic,
    dataPoints: [],
  } as unknown as MetricData
}

describe('Prometheus names (OpenTelemetry compatibility rules)', () => {
  it.each([
    [
      'http.server.request.duration',
      's',
      DataPointType.HISTOGRAM,
      true,
      'http_server_request_duration_seconds',
    ],
    ['otelkit.cache.requests', '{request}', DataPointType.SUM, true, 'otelkit_cache_requests_total'],
    ['system.memory.usage', 'By', DataPointType.SUM, false, 'system_memory_usage_bytes'],
    ['system.cpu.utilization', '1', DataPointType.GAUGE, true, 'system_cpu_utilization_ratio'],
    ['process.cpu.time', 's', DataPointType.SUM, true, 'process_cpu_time_seconds_total'],
    ['system.network.io', 'By', DataPointType.SUM, true, 'system_network_io_bytes_total'],
    ['otelkit.health.status', '1', DataPointType.GAUGE, true, 'otelkit_health_status_ratio'],
    ['x.rate', 'By/s', DataPointType.GAUGE, true, 'x_rate_bytes_per_second'],
    ['already_seconds', 's', DataPointType.HISTOGRAM, true, 'already_seconds'],
  ] as const)('%s [%s] -> %s', (name, unit, type, monotonic, expected) => {
    expect(prometheusName(metric(name, unit, type, monotonic))).toBe(expected)
  })

  it('writes histograms with cumulative buckets and service labels, and escapes label values', () => {
    const h = new FastHistogram({ name: 'h', unit: 's', description: 'help' }, [0.1, 1])
    h.record('a', 0.05, () => ({ route: '/a"b\\c' }))
    h.record('a', 0.5, () => ({ route: 'unused' }))
    h.record('a', 5, () => ({ route: 'unused' }))
    const text = serializePrometheus({
      resource: resourceFromAttributes({ 'service.name': 'svc', 'deployment.environment.name': 'prod' }),
      scopeMetrics: [{ scope: { name: 's' }, metrics: [h.toMetricData([0, 0], [1, 0])] }],
    }).text
    const labels = 'service_name="svc",deployment_environment="prod",route="/a\\"b\\\\c"'
    expect(text).toContain(`h_seconds_bucket{${labels},le="0.1"} 1`)
    expect(text).toContain(`h_seconds_bucket{${labels},le="1"} 2`)
    expect(text).toContain(`h_seconds_bucket{${labels},le="+Inf"} 3`)
    expect(text).toContain(`h_seconds_count{${labels}} 3`)
    expect(text).toContain(`h_seconds_sum{${labels}} 5.55`)
    expect(text).toContain('# TYPE h_seconds histogram')
    expect(text).toMatch(/^target_info\{service_name="svc",deployment_environment_name="prod"\} 1$/m)
  })

  it('drops a duplicate series instead of writing it twice', () => {
    const a = new FastHistogram({ name: 'dup', unit: 's', description: '' }, [1])
    const b = new FastHistogram({ name: 'dup', unit: 's', description: '' }, [1])
    a.record('k', 0.5, () => ({ x: '1' }))
    b.record('k', 0.5, () => ({ x: '1' }))
    const result = serializePrometheus({
      resource: emptyResource(),
      scopeMetrics: [
        { scope: { name: 'a' }, metrics: [a.toMetricData([0, 0], [1, 0])] },
        { scope: { name: 'b' }, metrics: [b.toMetricData([0, 0], [1, 0])] },
      ],
    })
    expect(result.duplicates).toBe(1)
    expect(result.text.match(/dup_seconds_count/g)).toHaveLength(1)
  })
})

describe('fast instruments', () => {
  it('bounds cardinality with one overflow series', () => {
    const h = new FastHistogram({ name: 'h', unit: 's', description: '' }, [1], 10)
    for (let i = 0; i < 50; i++) h.record(`k${i}`, 0.1, () => ({ i }))
    expect(h.size).toBe(11)
    const data = h.toMetricData([0, 0], [1, 0])
    const overflow = data.dataPoints.find((p) => p.attributes['otel.metric.overflow'] === true)
    expect(overflow).toBeDefined()
    expect((overflow?.value as { count: number } | undefined)?.count).toBe(40)
  })

  it('count each record in its own series when keys repeat, alternate or go to the overflow series', () => {
    const h = new FastHistogram({ name: 'h', unit: 's', description: '' }, [1], 2)
    for (const key of ['a', 'a', 'b', 'a', 'b', 'b', 'c', 'c', 'a', 'd']) h.record(key, 0.5, () => ({ key }))
    const counts = Object.fromEntries(
      h
        .toMetricData([0, 0], [1, 0])
        .dataPoints.map((p) => [
          String(p.attributes.key ?? 'overflow'),
          (p.value as { count: number }).count,
        ]),
    )
    expect(counts).toEqual({ a: 4, b: 3, overflow: 3 })
    const active = new FastUpDownCounter({ name: 'active', unit: '{request}', description: '' })
    for (const [key, delta] of [
      ['GET', 1],
      ['GET', 1],
      ['POST', 1],
      ['GET', -1],
      ['POST', -1],
      ['GET', 1],
    ] as const) {
      active.add(key, delta, () => ({ method: key }))
    }
    expect([active.value('GET'), active.value('POST')]).toEqual([2, 0])
  })

  it("keeps each bucket's last sampled exemplar, and serves it as the span's own ids", () => {
    const h = new FastHistogram({ name: 'h', unit: 's', description: '' }, [1, 2])
    // value, trace id, span id, sampled, time: unsampled spans leave no exemplar and keep a bucket's.
    const records: Array<[number, string, string, boolean, number]> = [
      [0.5, '0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', true, 1_000],
      [0.7, '1af7651916cd43dd8448eb211c80319c', 'c7ad6b7169203331', true, 1_500],
      [1.5, '2af7651916cd43dd8448eb211c80319c', 'd7ad6b7169203331', true, 2_000],
      [1.7, 'ff'.repeat(16), 'ee'.repeat(8), false, 3_000],
      [5, 'ff'.repeat(16), 'ee'.repeat(8), false, 4_000],
    ]
    for (const [value, traceId, spanId, sampled, atMs] of records) {
      const traceFlags = sampled ? TraceFlags.SAMPLED : TraceFlags.NONE
      h.record('k', value, () => ({}), { spanContext: () => ({ traceId, spanId, traceFlags }) }, atMs)
    }
    const data = h.toMetricData([0, 0], [1, 0])
    const point = data.dataPoints[0]
    expect(point).toBeDefined()
    const exemplars = (point?.value as HistogramWithExemplars | undefined)?.exemplars as BucketExemplars
    expect(exemplars.traceIds).toEqual([
      '1af7651916cd43dd8448eb211c80319c',
      '2af7651916cd43dd8448eb211c80319c',
      undefined,
    ])
    expect(exemplars.spanIds).toEqual(['c7ad6b7169203331', 'd7ad6b7169203331', undefined])
    expect([exemplars.values[0], exemplars.values[1], exemplars.times[0], exemplars.times[1]]).toEqual([
      0.7, 1.5, 1_500, 2_000,
    ])
    const text = serializePrometheus(
      { resource: emptyResource(), scopeMetrics: [{ scope: { name: 's' }, metrics: [data] }] },
      'openmetrics',
    ).text
    expect(text).toContain(
      '# {trace_id="1af7651916cd43dd8448eb211c80319c",span_id="c7ad6b7169203331"} 0.7 1.500',
    )
    expect(text).not.toContain('ffffffff')
  })
})

describe('HTTP helpers', () => {
  it('normalises methods to a bounded set', () => {
    expect(normalizeMethod('get')).toBe('GET')
    expect(normalizeMethod('PROPFIND')).toBe('_OTHER')
    expect(normalizeMethod(undefined)).toBe('_OTHER')
  })

  it('reads X-Request-Start in seconds, milliseconds and microseconds', () => {
    expect(parseQueueStart('t=1700000000.123')).toBe(1700000000123)
    expect(parseQueueStart('1700000000123')).toBe(1700000000123)
    expect(parseQueueStart('t=1700000000123456')).toBeCloseTo(1700000000123.456, 3)
    expect(parseQueueStart('garbage')).toBeUndefined()
    expect(parseQueueStart(undefined)).toBeUndefined()
  })
})

describe('container id', () => {
  it('reads cgroup v1 and v2 forms, and nothing outside a container', async () => {
    const { containerId } = await import('../src/sdk/container.js')
    const id = 'a'.repeat(12) + 'b'.repeat(52)
    expect(containerId(`12:memory:/docker/${id}\n`, '')).toBe(id)
    expect(
      containerId(
        '0::/\n',
        `1 2 0:3 /var/lib/docker/containers/${id}/hostname /etc/hostname rw - ext4 /dev/x rw\n`,
      ),
    ).toBe(id)
    expect(containerId('0::/init.scope\n', '22 1 0:21 / /proc rw - proc proc rw\n')).toBeUndefined()
  })
})

describe('guarded instrumentation callbacks', () => {
  it('swallow an internal error, log it once, and keep `this`', async () => {
    const { guarded } = await import('../src/instrumentations/guarded.js')
    const { setLogSink } = await import('../src/logger.js')
    const lines: string[] = []
    setLogSink((line) => lines.push(line))
    try {
      const seen: unknown[] = []
      const fn = guarded('test hook', function (this: { id: number }, value: number) {
        seen.push(this.id)
        if (value > 1) throw new Error('boom')
      })
      const target = { id: 7, fn }
      expect(() => target.fn(1)).not.toThrow()
      expect(() => target.fn(2)).not.toThrow()
      expect(() => target.fn(3)).not.toThrow()
      expect(seen).toEqual([7, 7, 7])
      expect(lines.filter((l) => l.includes('test hook'))).toHaveLength(1)
      expect(lines[0]).toContain('boom')
    } finally {
      setLogSink((line) => process.stderr.write(`${line}\n`))
    }
  })
})
