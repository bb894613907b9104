/**
 * The bundled Prometheus (the built 3.x binary, with the `scrape_protocols` of
 * otel-collector/prometheus/prometheus.yml and the `--enable-feature` flags of compose.yaml)
 * scraping a service under the preload:
 * - it negotiates OpenMetrics and stores the exemplars of the latency buckets: the trace ids
 *   `/api/v1/query_exemplars` gives back are those of the sampled requests sent (their
 *   `traceparent`); requests whose parent was not sampled leave none;
 * - it counts the first event of a new series: the first 5xx of a label set and the first counted
 *   error show in `increase()`, from the `_created` the service exposes. A Prometheus with its
 *   defaults (no created-timestamp zero ingestion) scraping the same service does not see them,
 *   which is what the flag is for.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { killAll, type RunningService, startService } from '../../packages/node/test/support/service.ts'
import { type PrometheusServer, startPrometheus } from '../support/prometheus.ts'
import { composeConfig } from './lib/compose.ts'

const SERVICE = `exemplars-${process.pid}`
const shipped = parse(
  readFileSync(new URL('../../otel-collector/prometheus/prometheus.yml', import.meta.url), 'utf8'),
) as { global: { scrape_protocols?: string[] } }
const command = composeConfig().services.prometheus?.command
const FEATURE_FLAGS = (Array.isArray(command) ? command : []).filter((a) => a.startsWith('--enable-feature='))

let service: RunningService
/** Configured as shipped. */
let bundled: PrometheusServer
/** Prometheus defaults, for contrast. */
let plain: PrometheusServer
const sampled: string[] = []
const unsampled: string[] = []

const traceparent = (traceId: string, flags: '00' | '01') =>
  `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`

function config(global: Record<string, unknown>): Record<string, unknown> {
  return {
    global: { ...global, scrape_interval: '1s', scrape_timeout: '1s' },
    scrape_configs: [
      {
        job_name: 'service',
        honor_labels: true,
        static_configs: [{ targets: [`127.0.0.1:${service.opsPort}`] }],
      },
    ],
  }
}

/** Polls `check` until it returns a value (not undefined); fails with `what` after 30 s. */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(250)
  }
}

/** Number of samples Prometheus holds for `selector` over the last 5 minutes (0 when none). */
async function samples(prom: PrometheusServer, selector: string): Promise<number> {
  const [sample] = await prom.query(`count_over_time(${selector}[5m])`)
  return sample ? Number(sample.value[1]) : 0
}

beforeAll(async () => {
  service = await startService({
    fixture: 'http-app.mjs',
    env: { OTEL_SERVICE_NAME: SERVICE, OTELKIT_METRICS_CACHE: '0' },
  })
  ;[bundled, plain] = await Promise.all([
    startPrometheus({
      config: config({ scrape_protocols: shipped.global.scrape_protocols }),
      args: FEATURE_FLAGS,
    }),
    startPrometheus({ config: config({}) }),
  ])
  await Promise.all([bundled.waitForTargets(1), plain.waitForTargets(1)])
}, 90_000)

afterAll(async () => {
  await Promise.all([bundled?.stop(), plain?.stop()])
  await service?.stop()
  killAll()
})

describe('the bundled Prometheus', () => {
  it('is started (compose and stack.sh) with exemplar storage and created-timestamp zero ingestion, OpenMetrics first', () => {
    expect(FEATURE_FLAGS).toEqual(
      expect.arrayContaining([
        '--enable-feature=exemplar-storage',
        '--enable-feature=created-timestamp-zero-ingestion',
      ]),
    )
    expect(shipped.global.scrape_protocols?.[0]).toBe('OpenMetricsText1.0.0')
    // The native stack (scripts/stack.sh up) starts Prometheus with the same features.
    const stackScript = readFileSync(new URL('../../scripts/stack.sh', import.meta.url), 'utf8')
    for (const flag of FEATURE_FLAGS) expect(stackScript).toContain(flag)
  })

  it('stores the trace ids of sampled requests as exemplars of the latency buckets', async () => {
    for (let i = 0; i < 5; i++) {
      const traceId = randomBytes(16).toString('hex')
      sampled.push(traceId)
      await (await service.get('/ok', { headers: { traceparent: traceparent(traceId, '01') } })).text()
    }
    for (let i = 0; i < 5; i++) {
      const traceId = randomBytes(16).toString('hex')
      unsampled.push(traceId)
      const headers = { traceparent: traceparent(traceId, '00') }
      await (await service.get(`/routed/${i}`, { headers })).text()
    }
    const selector = `http_server_request_duration_seconds_bucket{service_name="${SERVICE}"}`
    const series = await until('exemplars of the sampled requests', async () => {
      const found = await bundled.exemplars(selector)
      return found.some((s) => s.exemplars.some((e) => sampled.includes(e.labels.trace_id ?? '')))
        ? found
        : undefined
    })
    const traceIds = series.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id))
    // Every stored exemplar is one of the sampled requests, on the un-routed series.
    for (const id of traceIds) expect(sampled).toContain(id)
    for (const s of series) expect(s.seriesLabels.http_route).toBeUndefined()
    for (const e of series.flatMap((s) => s.exemplars)) expect(e.labels.span_id).toMatch(/^[0-9a-f]{16}$/)
    // The unsampled requests were counted, and left no exemplar.
    const routed = `http_server_request_duration_seconds_count{service_name="${SERVICE}",http_route="/routed/:id"}`
    await until('the routed requests', async () => ((await samples(bundled, routed)) > 0 ? true : undefined))
    expect(
      await bundled.exemplars(
        `http_server_request_duration_seconds_bucket{service_name="${SERVICE}",http_route="/routed/:id"}`,
      ),
    ).toEqual([])
    expect(traceIds.some((id) => unsampled.includes(id ?? ''))).toBe(false)
  })

  it('counts the first 5xx of a label set and the first error in increase()', async () => {
    await (await service.get('/error')).text()
    const requests = `http_server_request_duration_seconds_count{service_name="${SERVICE}",http_response_status_code="503"}`
    const errors = `otelkit_errors_total{service_name="${SERVICE}",error_type="503"}`
    // Both Prometheus hold at least two scrapes of each new series.
    for (const prom of [bundled, plain]) {
      for (const selector of [requests, errors]) {
        await until(`two scrapes of ${selector}`, async () =>
          (await samples(prom, selector)) >= 2 ? true : undefined,
        )
      }
    }
    const increase = async (prom: PrometheusServer, selector: string) => {
      const [sample] = await prom.query(`sum(increase(${selector}[5m]))`)
      return sample ? Number(sample.value[1]) : 0
    }
    expect(await increase(bundled, requests)).toBeGreaterThanOrEqual(0.9)
    expect(await increase(bundled, errors)).toBeGreaterThanOrEqual(0.9)
    // Without created-timestamp zero ingestion the series is born at 1: no increase at all.
    expect(await increase(plain, requests)).toBe(0)
    expect(await increase(plain, errors)).toBe(0)
  })
})
