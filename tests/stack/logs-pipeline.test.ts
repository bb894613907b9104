// The collector's logs pipeline for real: the built otelcol-otelkit runs otel-collector/otelcol.yaml
// (native environment, free loopback ports); a service under the otelkit preload with
// OTEL_LOGS_EXPORTER=otlp writes pino, winston and bunyan records, over OTLP/HTTP protobuf and
// over gRPC; the collector accepts every one and its debug/logs exporter counts them as sent,
// and the service drops none.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Daemon, startDaemon } from '../support/daemon.ts'
import { freePort } from '../support/prometheus.ts'
import { metricSum } from '../support/stack.ts'
import { type CollectorConfig, readYaml } from './lib/collector.ts'
import { BUILD_TIMEOUT_MS, NATIVE_ENV, otelcolBinary, validateWithBinary } from './lib/otelcol.ts'

const config = fileURLToPath(new URL('../../otel-collector/otelcol.yaml', import.meta.url))
const gatewayConfig = fileURLToPath(new URL('../../otel-collector/gateway.yaml', import.meta.url))
const nodePackage = fileURLToPath(new URL('../../packages/node/', import.meta.url))

describe.each([
  ['otelcol.yaml', config],
  ['gateway.yaml', gatewayConfig],
])('%s logs pipeline', (_name, file) => {
  it(
    'takes OTLP logs through memory_limiter to the debug exporter, and validates with the built binary',
    () => {
      const cfg = readYaml<CollectorConfig>(file)
      const logs = cfg.service.pipelines.logs
      expect(logs?.receivers).toEqual(['otlp'])
      expect(logs?.processors?.[0]).toBe('memory_limiter')
      expect(logs?.exporters).toEqual(['debug/logs'])
      expect(validateWithBinary(otelcolBinary(), file, NATIVE_ENV)).toBe('')
    },
    BUILD_TIMEOUT_MS,
  )
})

describe('a service sending logs to the agent', () => {
  let collector: Daemon
  let metricsUrl: string
  let httpPort: number
  let grpcPort: number
  const children: Array<ReturnType<typeof spawn>> = []

  beforeAll(async () => {
    const [grpc, http, health, metrics, spanmetrics] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ]
    httpPort = http
    grpcPort = grpc
    metricsUrl = `http://127.0.0.1:${metrics}/metrics`
    collector = await startDaemon({
      name: 'otelcol-otelkit',
      bin: otelcolBinary(),
      args: [`--config=${config}`],
      dir: mkdtempSync(join(tmpdir(), 'otelkit-logs-')),
      env: {
        PATH: process.env.PATH,
        ...NATIVE_ENV,
        OTELKIT_COLLECTOR_OTLP_GRPC_PORT: String(grpc),
        OTELKIT_COLLECTOR_OTLP_HTTP_PORT: String(http),
        OTELKIT_COLLECTOR_HEALTH_PORT: String(health),
        OTELKIT_COLLECTOR_METRICS_PORT: String(metrics),
        OTELKIT_COLLECTOR_SPANMETRICS_PORT: String(spanmetrics),
      },
      readyUrl: `http://127.0.0.1:${health}/`,
    })
  }, BUILD_TIMEOUT_MS)

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL')
    await collector?.stop()
  })

  it.each([
    ['http/protobuf', () => `http://127.0.0.1:${httpPort}`],
    ['grpc', () => `http://127.0.0.1:${grpcPort}`],
  ])(
    '%s: every record is accepted and sent by debug/logs; the service drops none',
    async (protocol, endpoint) => {
      const count = async (name: string, labels: string[] = []) =>
        metricSum(await (await fetch(metricsUrl)).text(), name, labels)
      const sentBefore = await count('otelcol_exporter_sent_log_records_total', ['exporter="debug/logs"'])
      const acceptedBefore = await count('otelcol_receiver_accepted_log_records_total')
      const opsPort = await freePort()
      const child = spawn(
        process.execPath,
        [
          '--import',
          join(nodePackage, 'dist', 'register.js'),
          join(nodePackage, 'test', 'fixtures', 'logs-app.mjs'),
        ],
        {
          cwd: nodePackage,
          env: {
            ...process.env,
            OTEL_SERVICE_NAME: `logs-pipeline-${protocol.replace('/', '-')}`,
            OTEL_LOGS_EXPORTER: 'otlp',
            OTEL_TRACES_EXPORTER: 'none',
            OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(),
            OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
            OTEL_BLRP_SCHEDULE_DELAY: '100',
            OTELKIT_OPS_HOST: '127.0.0.1',
            OTELKIT_OPS_PORT: String(opsPort),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      children.push(child)
      let out = ''
      child.stdout?.on('data', (d) => {
        out += d
      })
      while (!/listening (\d+)/.test(out)) {
        expect(child.exitCode).toBeNull()
        await sleep(50)
      }
      const port = /listening (\d+)/.exec(out)?.[1]
      for (const logger of ['pino', 'winston', 'bunyan']) {
        expect((await fetch(`http://127.0.0.1:${port}/log/${logger}`)).status).toBe(200)
      }
      const written = 3 + 3 * 2
      const sent = async () =>
        (await count('otelcol_exporter_sent_log_records_total', ['exporter="debug/logs"'])) - sentBefore
      while ((await sent()) < written) await sleep(200)
      expect(await sent()).toBe(written)
      expect((await count('otelcol_receiver_accepted_log_records_total')) - acceptedBefore).toBe(written)
      expect(await count('otelcol_receiver_refused_log_records_total')).toBe(0)
      const service = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text()
      expect(metricSum(service, 'otelkit_telemetry_dropped_total', ['signal="logs"'])).toBe(0)
    },
    60_000,
  )
})
