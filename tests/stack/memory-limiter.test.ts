/**
 * A burst over the collector's memory_limiter, for real: a second agent (the built collector,
 * the shipped otelcol.yaml, with a small limit_mib through a command-line config overlay)
 * forwards to the stack's gateway; a preloaded service sends spans carrying 64 KiB each, as fast
 * as it can. The agent refuses part of the burst with a retryable status (its refused counter),
 * otelkit retries, and once the pressure drops every span the service produced is either
 * accepted by the agent or counted by otelkit in otelkit_telemetry_dropped_total (reasons
 * export_failed: retried until OTEL_BSP_EXPORT_TIMEOUT; queue_full: the SDK's queue overflowed
 * while it retried). Nothing is lost uncounted.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  killAll,
  type RunningService,
  seriesValue,
  startService,
} from '../../packages/node/test/support/service.ts'
import { freePort } from '../support/prometheus.ts'
import { metricSum, type Stack, startStack } from '../support/stack.ts'
import { stackBinary } from '../support/stack-bin.ts'

const CONFIG = join(import.meta.dirname, '..', '..', 'otel-collector', 'otelcol.yaml')
const REQUESTS = 1000

let stack: Stack
let agent: ChildProcess | undefined
let agentLog = ''
let agentMetricsPort = 0
let service: RunningService

const agentMetrics = async () => (await fetch(`http://127.0.0.1:${agentMetricsPort}/metrics`)).text()

beforeAll(async () => {
  stack = await startStack()
  const [grpc, http, health, metricsPort, spanmetrics] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ]
  agentMetricsPort = metricsPort
  agent = spawn(
    stackBinary('otelcol-otelkit'),
    [
      `--config=${CONFIG}`,
      // Overlay: refusing above 12 MiB of heap (24 MiB limit, 12 MiB spike; the agent idles at
      // about 6 MiB), checked every 100 ms so a short burst is seen.
      '--config=yaml:processors::memory_limiter::limit_mib: 24',
      '--config=yaml:processors::memory_limiter::spike_limit_mib: 12',
      '--config=yaml:processors::memory_limiter::check_interval: 100ms',
    ],
    {
      env: {
        ...process.env,
        OTELKIT_COLLECTOR_LISTEN_HOST: '127.0.0.1',
        OTELKIT_COLLECTOR_OTLP_GRPC_PORT: String(grpc),
        OTELKIT_COLLECTOR_OTLP_HTTP_PORT: String(http),
        OTELKIT_COLLECTOR_HEALTH_PORT: String(health),
        OTELKIT_COLLECTOR_METRICS_PORT: String(metricsPort),
        OTELKIT_COLLECTOR_SPANMETRICS_PORT: String(spanmetrics),
        OTELKIT_TRACES_ENDPOINT: `127.0.0.1:${stack.ports.OTELKIT_GATEWAY_OTLP_GRPC_PORT}`,
        OTELKIT_PROMETHEUS_ADDRESS: `127.0.0.1:${stack.ports.OTELKIT_PROMETHEUS_PORT}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  agent.stderr?.on('data', (b: Buffer) => {
    agentLog = (agentLog + b.toString()).slice(-4000)
  })
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://127.0.0.1:${health}/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    if (i > 300 || agent.exitCode !== null) throw new Error(`the agent did not start: ${agentLog}`)
    await sleep(100)
  }
  service = await startService({
    fixture: 'big-spans-app.mjs',
    env: {
      OTEL_SERVICE_NAME: 'memory-burst',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${http}`,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64',
      OTEL_BSP_EXPORT_TIMEOUT: '20000',
    },
  })
}, 3_600_000)

afterAll(async () => {
  killAll()
  agent?.kill('SIGTERM')
  await stack?.down()
})

describe("a burst over the agent's memory_limiter", () => {
  it('is refused with a retryable status, then delivered or counted as dropped by otelkit', async () => {
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < REQUESTS) {
          next++
          await (await service.get('/burst')).arrayBuffer()
        }
      }),
    )
    const produced = () =>
      service.metrics().then((t) => seriesValue(t, 'http_server_request_duration_seconds_count'))
    expect(await produced()).toBe(REQUESTS)
    // Wait until every span is accounted for: accepted by the agent, or counted by otelkit.
    let accepted = 0
    let dropped = 0
    const deadline = Date.now() + 120_000
    for (;;) {
      accepted = metricSum(await agentMetrics(), 'otelcol_receiver_accepted_spans_total')
      dropped = seriesValue(await service.metrics(), 'otelkit_telemetry_dropped_total', ['signal="traces"'])
      if (accepted + dropped >= REQUESTS || Date.now() > deadline) break
      await sleep(1000)
    }
    const refused = metricSum(await agentMetrics(), 'otelcol_receiver_refused_spans_total')
    console.info(
      `memory_limiter burst: produced ${REQUESTS}, agent accepted ${accepted}, refused ${refused} (span attempts), otelkit dropped ${dropped}`,
    )
    expect(refused, `the limiter never refused: ${agentLog}`).toBeGreaterThan(0)
    expect(accepted + dropped).toBe(REQUESTS)
    expect(accepted).toBeGreaterThan(0)
    // The accounting wait above may take up to 120 s on a loaded machine: the test allows for it.
  }, 240_000)
})
