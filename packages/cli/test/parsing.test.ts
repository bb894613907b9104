/**
 * The pure parts: threshold expressions, the Prometheus text parser and the resource metrics
 * it picks, and the stage planner.
 */
import { describe, expect, it } from 'vitest'
import { CliError } from '../src/errors.js'
import { buildPlan } from '../src/load/plan.js'
import { parseScenario } from '../src/load/scenario.js'
import { parseThreshold } from '../src/load/thresholds.js'
import { parsePrometheusText, sumOf } from '../src/ops/prometheus.js'
import { readResources } from '../src/ops/resource-metrics.js'

describe('thresholds', () => {
  it.each([
    ['p99<250ms', 'p99', '<', 250],
    ['p95<1s', 'p95', '<', 1000],
    ['p99.9 <= 2.5s', 'p99.9', '<=', 2500],
    ['max<500us', 'max', '<', 0.5],
    ['p50<20', 'p50', '<', 20],
    ['errors<1%', 'errors', '<', 0.01],
    ['errors<=10', 'errors', '<=', 10],
    ['rps>500', 'rps', '>', 500],
    ['requests>=1000', 'requests', '>=', 1000],
  ])('%s', (expression, metric, op, value) => {
    expect(parseThreshold(expression)).toEqual({ expression, metric, op, value })
  })

  it.each(['p99', 'p99<', 'p99<fast', 'p99<1%', 'rps>5ms', 'latency<1s', 'p99=1s'])(
    'rejects %s',
    (expression) => {
      expect(() => parseThreshold(expression)).toThrow(CliError)
    },
  )
})

describe('Prometheus text', () => {
  const text = [
    '# HELP process_cpu_time_seconds_total CPU',
    '# TYPE process_cpu_time_seconds_total counter',
    'process_cpu_time_seconds_total{process_cpu_state="user",service_name="a"} 1.5',
    'process_cpu_time_seconds_total{process_cpu_state="system",service_name="a"} 0.5 1700000000000',
    'http_server_request_duration_seconds_bucket{le="+Inf",http_route="/a \\"b\\""} 7',
    'nodejs_eventloop_delay_p99_seconds 0.012',
    'process_memory_usage_bytes{service_name="a"} 1.2e+08',
    'up NaN',
    'this is not a sample',
    '',
  ].join('\n')

  it('parses names, labels with escapes, values, timestamps; counts malformed lines', () => {
    const { samples, malformed } = parsePrometheusText(text)
    expect(malformed).toBe(1)
    expect(samples).toHaveLength(6)
    expect(samples[2]).toEqual({
      name: 'http_server_request_duration_seconds_bucket',
      labels: { le: '+Inf', http_route: '/a "b"' },
      value: 7,
    })
    expect(sumOf(samples, 'process_cpu_time_seconds_total')).toBe(2)
    expect(sumOf(samples, 'process_cpu_time_seconds_total', { process_cpu_state: 'user' })).toBe(1.5)
    expect(sumOf(samples, 'absent_metric')).toBeUndefined()
  })

  it('picks the resource metrics present', () => {
    const reading = readResources(parsePrometheusText(text).samples)
    expect(reading.cpuRatio).toBeUndefined()
    expect(reading.cpuSeconds).toEqual({ name: 'process_cpu_time_seconds_total', value: 2 })
    expect(reading.memoryBytes).toEqual({ name: 'process_memory_usage_bytes', value: 120_000_000 })
    expect(reading.eventLoopP99Seconds).toEqual({ name: 'nodejs_eventloop_delay_p99_seconds', value: 0.012 })
    const ratio = readResources(
      parsePrometheusText('process_cpu_utilization_ratio{cpu_mode="user"} 0.25\n').samples,
    )
    expect(ratio.cpuRatio).toEqual({ name: 'process_cpu_utilization_ratio', value: 0.25 })
  })
})

describe('plan', () => {
  const requests = [{ path: '/' }]

  it('cuts ramps into one-second steps at the mid-step rate and keeps steady stages whole', () => {
    const plan = buildPlan(
      parseScenario(
        {
          requests,
          stages: [
            { duration: '3s', target: 30 },
            { duration: 5000, target: 30 },
            { duration: '2s', target: 0 },
          ],
        },
        'test',
      ),
    )
    expect(plan.steps.map((s) => [s.durationMs, s.rate])).toEqual([
      [1000, 5],
      [1000, 15],
      [1000, 25],
      [5000, 30],
      [1000, 22.5],
      [1000, 7.5],
    ])
    expect(plan.expectedRequests).toBe(45 + 150 + 30)
  })

  it('runs closed-loop stages with their own connections', () => {
    const plan = buildPlan(
      parseScenario(
        { requests, connections: 3, stages: [{ duration: '1s' }, { duration: '2s', connections: 9 }] },
        'test',
      ),
    )
    expect(plan.steps.map((s) => [s.durationMs, s.rate, s.connections])).toEqual([
      [1000, undefined, 3],
      [2000, undefined, 9],
    ])
    expect(plan.expectedRequests).toBeUndefined()
  })

  it('refuses a bare run length under a second, naming the unit to write', () => {
    expect(() => buildPlan(parseScenario({ requests, duration: 30 }, 'test'))).toThrow(
      /duration 30 means 30 milliseconds .*write 30s for seconds/,
    )
    expect(() =>
      buildPlan(parseScenario({ requests, stages: [{ duration: '5', target: 3 }] }, 'test')),
    ).toThrow(/stages\[0\]\.duration 5 means 5 milliseconds/)
    // With a unit, or from one second on, the bare-number rule holds as everywhere.
    expect(buildPlan(parseScenario({ requests, duration: '30s' }, 'test')).steps[0]?.durationMs).toBe(30_000)
    expect(buildPlan(parseScenario({ requests, duration: 1500 }, 'test')).steps[0]?.durationMs).toBe(1500)
  })

  it('refuses amount with stages', () => {
    expect(() =>
      buildPlan(parseScenario({ requests, amount: 5, stages: [{ duration: '1s' }] }, 'test')),
    ).toThrow(/amount/)
  })
})
