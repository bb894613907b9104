/**
 * The stack for real: examples/shop-api under the preload sends its traces to the native stack
 * (scripts/stack.sh on free ports: the built collector agent -> gateway with tail sampling ->
 * Jaeger), and Jaeger's HTTP API returns them.
 * - a product request's trace holds its server, PostgreSQL and Redis spans;
 * - tail sampling keeps every error trace and thins the OK ones (the gateway's counters agree);
 * - neither collector refused or failed to send a span;
 * - the gateway killed and restarted under load: the agent's queue holds what it could not send
 *   and delivers it (its own counters show every accepted span sent, none failed).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metricSum, type Stack, startStack } from '../support/stack.ts'
import { type Example, startExample } from './lib/example.ts'

interface JaegerSpan {
  spanID: string
  operationName: string
  references: Array<{ refType: string; spanID: string }>
  tags: Array<{ key: string; value: unknown }>
}
interface JaegerTrace {
  traceID: string
  spans: JaegerSpan[]
}

let stack: Stack
let example: Example

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value
const root = (trace: JaegerTrace) => trace.spans.find((s) => s.references.length === 0)

async function traces(service: string): Promise<JaegerTrace[]> {
  const res = await fetch(
    `${stack.jaegerUrl}/api/traces?${new URLSearchParams({ service, limit: '2000', lookback: '1h' })}`,
  )
  if (!res.ok) return []
  return ((await res.json()) as { data: JaegerTrace[] | null }).data ?? []
}

async function waitForTraces(
  service: string,
  predicate: (all: JaegerTrace[]) => boolean,
  timeoutMs: number,
): Promise<JaegerTrace[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const all = await traces(service)
    if (predicate(all)) return all
    if (Date.now() > deadline) {
      throw new Error(
        `Jaeger has ${all.length} trace(s) of ${service}: ${all.map((t) => root(t)?.operationName).join(', ')}`,
      )
    }
    await sleep(1000)
  }
}

const status = (trace: JaegerTrace) =>
  Number(tag(root(trace) ?? ({ tags: [] } as unknown as JaegerSpan), 'http.response.status_code'))

beforeAll(async () => {
  stack = await startStack()
  example = await startExample(`shop-api-pipeline-${process.pid}`, {
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: stack.agentHttpUrl,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
  })
}, 3_600_000)

afterAll(async () => {
  await example?.stop()
  await stack?.down()
})

describe('shop-api -> agent -> gateway (tail sampling) -> Jaeger', () => {
  const OK = 100
  const FAILED = 10

  it('finds a product request with its server, pg and Redis spans through Jaeger', async () => {
    for (let i = 0; i < OK; i++) await (await fetch(`${example.url}/products/${(i % 20) + 1}`)).arrayBuffer()
    for (let i = 0; i < FAILED; i++) await (await fetch(`${example.url}/fail`)).arrayBuffer()
    // decision_wait is 10 s: every error trace is there once the gateway has decided.
    const all = await waitForTraces(
      example.serviceName,
      (t) => t.filter((x) => status(x) === 500).length >= FAILED,
      90_000,
    )
    expect(all.filter((t) => status(t) === 500)).toHaveLength(FAILED)
    // The 10% baseline keeps none of OK product traces with probability 0.9^OK (< 0.003%).
    const product = all.find((t) => root(t)?.operationName === 'GET /products/:id')
    expect(product, 'no OK product trace was kept').toBeDefined()
    const systems = product!.spans.map((s) => tag(s, 'db.system.name') ?? tag(s, 'db.system'))
    expect(systems).toContain('postgresql')
    expect(systems).toContain('redis')
    const server = root(product!)!
    for (const span of product!.spans.filter((s) => s !== server)) {
      expect(product!.spans.some((p) => p.spanID === span.references[0]?.spanID)).toBe(true)
    }
  })

  it('keeps every error trace and thins the OK ones, as the gateway counts', async () => {
    const all = await traces(example.serviceName)
    const kept = all.filter((t) => status(t) === 200).length
    expect(kept).toBeLessThan(OK)
    const gateway = await stack.collectorMetrics('otel-gateway')
    const sampled = metricSum(gateway, 'otelcol_processor_tail_sampling_global_count_traces_sampled_total', [
      'sampled="true"',
    ])
    const dropped = metricSum(gateway, 'otelcol_processor_tail_sampling_global_count_traces_sampled_total', [
      'sampled="false"',
    ])
    expect(sampled).toBeGreaterThanOrEqual(FAILED)
    expect(dropped).toBeGreaterThan(0)
    expect(sampled + dropped).toBeGreaterThanOrEqual(OK + FAILED)
  })

  it('refused and failed no span in either collector', async () => {
    for (const program of ['otel-collector', 'otel-gateway'] as const) {
      const text = await stack.collectorMetrics(program)
      expect(metricSum(text, 'otelcol_receiver_accepted_spans_total')).toBeGreaterThan(0)
      expect(metricSum(text, 'otelcol_receiver_refused_spans_total')).toBe(0)
      expect(metricSum(text, 'otelcol_exporter_send_failed_spans_total')).toBe(0)
    }
  })

  it('the agent holds and delivers what it could not send while the gateway was down', async () => {
    let loading = true
    let sent = 0
    const load = (async () => {
      while (loading) {
        await fetch(`${example.url}/products/${(sent % 20) + 1}`).then((r) => r.arrayBuffer())
        sent++
        await sleep(20)
      }
    })()
    await sleep(2000)
    process.kill(stack.pid('otel-gateway'), 'SIGKILL')
    await sleep(5000)
    await stack.up()
    await sleep(2000)
    loading = false
    await load
    expect(sent).toBeGreaterThan(100)
    // Every span the agent accepted is sent once the gateway is back; none is given up on.
    const deadline = Date.now() + 60_000
    let agent = await stack.collectorMetrics('otel-collector')
    const accepted = () => metricSum(agent, 'otelcol_receiver_accepted_spans_total')
    const delivered = () =>
      metricSum(agent, 'otelcol_exporter_sent_spans_total', ['exporter="otlp_grpc/traces"'])
    while (delivered() < accepted() && Date.now() < deadline) {
      await sleep(1000)
      agent = await stack.collectorMetrics('otel-collector')
    }
    expect(delivered()).toBe(accepted())
    expect(metricSum(agent, 'otelcol_exporter_send_failed_spans_total')).toBe(0)
    expect(metricSum(agent, 'otelcol_receiver_refused_spans_total')).toBe(0)
  })
})
