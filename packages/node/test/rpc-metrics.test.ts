/**
 * gRPC through the real preload (@grpc/grpc-js server and client in one fixture, imported under
 * `--import` and required under `--require`): server and client spans reach the OTLP receiver,
 * and rpc.server.duration / rpc.client.duration count every call by service, method and status
 * code with the latency buckets of the other durations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  exportTo,
  type RunningService,
  receiverForFile,
  seriesValue,
  startService,
} from './support/service.js'

const SERVER = 2
const CLIENT = 3
const NOT_FOUND = 5

const receiver = receiverForFile()

describe.each([
  { loader: 'import', preload: 'import' as const },
  { loader: 'require', preload: 'require' as const },
])('gRPC loaded by $loader', ({ loader, preload }) => {
  const name = `grpc-${loader}`
  let service: RunningService

  beforeAll(async () => {
    service = await startService({
      fixture: 'grpc-app.mjs',
      preload,
      env: {
        LOADER: loader,
        ...exportTo(receiver, name),
        OTELKIT_METRICS_CACHE: '0',
      },
    })
  }, 60_000)
  afterAll(async () => {
    await service?.stop()
  })

  const rpcSpans = () =>
    receiver.spans.filter((s) => s.service === name && s.scope === '@opentelemetry/instrumentation-grpc')

  it('exports a server and a client span per call, the failed call marked with its status', async () => {
    expect(await (await service.get('/grpc/ok')).text()).toBe('widget')
    expect(await (await service.get('/grpc/fail')).text()).toBe(String(NOT_FOUND))
    await receiver.waitFor(() => rpcSpans().length >= 4, 20_000)
    const spans = rpcSpans()
    const server = spans.filter((s) => s.kind === SERVER)
    const client = spans.filter((s) => s.kind === CLIENT)
    expect(server).toHaveLength(2)
    expect(client).toHaveLength(2)
    for (const span of spans) {
      expect(span.attributes['rpc.system']).toBe('grpc')
      expect(span.attributes['rpc.service']).toBe('shop.Catalog')
      expect(span.attributes['rpc.method']).toBe('GetItem')
    }
    // Each server span is the child of the client span that made the call.
    for (const s of server) expect(client.map((c) => c.spanId)).toContain(s.parentSpanId)
    expect(server.map((s) => s.attributes['rpc.grpc.status_code']).sort()).toEqual([0, NOT_FOUND])
  })

  it('records rpc.server.duration and rpc.client.duration for every call, by status code', async () => {
    const metrics = await service.metrics()
    const labels = (code: number) => [
      'rpc_system="grpc"',
      'rpc_service="shop.Catalog"',
      'rpc_method="GetItem"',
      `rpc_grpc_status_code="${code}"`,
    ]
    for (const metric of ['rpc_server_duration_seconds_count', 'rpc_client_duration_seconds_count']) {
      expect(seriesValue(metrics, metric, labels(0)), `${metric} ok\n${metrics}`).toBe(1)
      expect(seriesValue(metrics, metric, labels(NOT_FOUND)), `${metric} not found`).toBe(1)
    }
    // The same buckets as the HTTP and database durations.
    const buckets = (metric: string) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(`${metric}_bucket{`) && l.includes('rpc_grpc_status_code="0"'))
        .map((l) => /le="([^"]+)"/.exec(l)?.[1])
    const httpBuckets = metrics
      .split('\n')
      .filter((l) => l.startsWith('http_server_request_duration_seconds_bucket{'))
      .map((l) => /le="([^"]+)"/.exec(l)?.[1])
    const oneSeries = httpBuckets.slice(0, httpBuckets.indexOf('+Inf') + 1)
    expect(buckets('rpc_server_duration_seconds')).toEqual(oneSeries)
  })
})
