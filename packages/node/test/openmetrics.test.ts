/**
 * /metrics in OpenMetrics 1.0 through the real preload: negotiated from `Accept`, strictly valid
 * (test/support/openmetrics.ts), `_created` on counters and histograms, and on the latency
 * buckets exemplars whose trace and span ids are those of the spans the OTLP receiver got for the
 * same requests; none when no span is sampled. Text format 0.0.4 stays the default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from './support/eventually.js'
import { type Family, parseOpenMetrics, type Sample } from './support/openmetrics.js'
import { exportTo, type RunningService, receiverForFile, startService } from './support/service.js'

const SERVER = 2
const CLIENT = 3
const TOKEN = 'openmetrics-test-token-0123456789'
/** What Prometheus 3 sends by default (scrape_protocols' default order). */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,' +
  'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
const OM_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8'
const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const receiver = receiverForFile()

/** Scrapes /metrics; `token: null` sends no Authorization header. */
async function scrape(service: RunningService, accept?: string, token: string | null = TOKEN) {
  const headers: Record<string, string> = {}
  if (accept !== undefined) headers.accept = accept
  if (token !== null) headers.authorization = `Bearer ${token}`
  const res = await fetch(`http://127.0.0.1:${service.opsPort}/metrics`, { headers })
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
}

function exemplars(family: Family | undefined): Sample[] {
  return (family?.samples ?? []).filter((s) => s.exemplar !== undefined)
}

function startApp(name: string, env: Record<string, string>): Promise<RunningService> {
  return startService({
    fixture: 'http-app.mjs',
    env: {
      ...exportTo(receiver, name, 'http/json'),
      OTELKIT_METRICS_TOKEN: TOKEN,
      ...env,
    },
  })
}

describe('sampled requests', () => {
  const name = 'openmetrics-sampled'
  let service: RunningService
  let startedS: number
  /** Just before the one failing request: its series cannot have begun earlier. */
  let beforeErrorS: number

  beforeAll(async () => {
    startedS = Date.now() / 1000
    service = await startApp(name, {})
    for (let i = 0; i < 3; i++) await (await service.get('/ok')).text()
    await (await service.get('/outbound/x')).text()
    beforeErrorS = Date.now() / 1000
    await (await service.get('/error')).text()
    // 5 requests of the test and the 2 the service makes to itself for /outbound.
    await receiver.waitFor(
      (spans) => spans.filter((s) => s.service === name && s.kind === SERVER).length >= 7,
    )
  }, 60_000)
  afterAll(async () => {
    await service?.stop()
  })

  const spans = () => receiver.spans.filter((s) => s.service === name)

  it('serves valid OpenMetrics 1.0 to a scraper that asks for it, ending in # EOF', async () => {
    const om = await scrape(service, PROMETHEUS_ACCEPT)
    expect(om.status).toBe(200)
    expect(om.type).toBe(OM_CONTENT_TYPE)
    expect(om.text.endsWith('# EOF\n')).toBe(true)
    const families = parseOpenMetrics(om.text)
    const duration = families.get('http_server_request_duration_seconds')
    expect(duration).toMatchObject({ type: 'histogram', unit: 'seconds' })
    expect(families.get('target')?.type).toBe('info')
    expect(families.get('target')?.samples[0]?.labels['service.name'] ?? '').toBe('')
    expect(families.get('target')?.samples[0]?.labels.service_name).toBe(name)
    // Counters are families without _total; their samples keep it, with _created after them.
    const counters = [...families.values()].filter((f) => f.type === 'counter')
    expect(counters.length).toBeGreaterThan(0)
    for (const counter of counters) {
      expect(counter.name.endsWith('_total')).toBe(false)
      expect(counter.samples.some((s) => s.name === `${counter.name}_total`)).toBe(true)
    }
  })

  it('gives each series of a synchronous instrument a _created at its first record', async () => {
    const families = parseOpenMetrics((await scrape(service, PROMETHEUS_ACCEPT)).text)
    const scrapedS = Date.now() / 1000
    const created = families
      .get('http_server_request_duration_seconds')
      ?.samples.filter((s) => s.name.endsWith('_created'))
    const failed = created?.find((s) => s.labels.http_response_status_code === '503')
    expect(failed).toBeDefined()
    // Its own first record, not the start of the SDK (well before the request).
    expect(failed?.value).toBeGreaterThanOrEqual(Math.floor(beforeErrorS * 1000) / 1000)
    expect(failed?.value).toBeLessThanOrEqual(scrapedS)
    const errors = families.get('otelkit_errors')
    expect(errors?.type).toBe('counter')
    const errorsCreated = errors?.samples.find((s) => s.name === 'otelkit_errors_created')
    expect(errorsCreated?.value).toBeGreaterThanOrEqual(Math.floor(startedS))
    // An observable counter's first observation holds CPU time from before otelkit watched: no
    // _created, which would make a receiver count all of it as one increase.
    // Host and process metrics start a moment after the service (off its start-up path).
    let cpu = families.get('process_cpu_time_seconds')
    await eventually(async () => {
      cpu = parseOpenMetrics((await scrape(service, PROMETHEUS_ACCEPT)).text).get('process_cpu_time_seconds')
      return cpu !== undefined
    })
    expect(cpu?.type).toBe('counter')
    expect(cpu?.samples.filter((s) => s.name.endsWith('_created'))).toEqual([])
  })

  it('puts the trace and span id of a sampled request on the bucket its duration fell in', async () => {
    const families = parseOpenMetrics((await scrape(service, PROMETHEUS_ACCEPT)).text)
    const server = exemplars(families.get('http_server_request_duration_seconds'))
    expect(server.length).toBeGreaterThan(0)
    const serverSpans = spans().filter((s) => s.kind === SERVER)
    for (const sample of server) {
      const { trace_id, span_id } = sample.exemplar?.labels ?? {}
      expect(serverSpans.some((s) => s.traceId === trace_id && s.spanId === span_id)).toBe(true)
      expect(sample.exemplar?.timestamp).toBeGreaterThanOrEqual(Math.floor(startedS))
    }
    // The one 503: its series has one exemplar, the trace of that very request.
    const failedSpan = serverSpans.find((s) => s.attributes['http.response.status_code'] === 503)
    const failed = server.filter((s) => s.labels.http_response_status_code === '503')
    expect(failed).toHaveLength(1)
    expect(failed[0]?.exemplar?.labels).toEqual({
      trace_id: failedSpan?.traceId,
      span_id: failedSpan?.spanId,
    })
    // Client durations carry the trace of the outgoing requests.
    const client = exemplars(families.get('http_client_request_duration_seconds'))
    expect(client.length).toBeGreaterThan(0)
    const clientSpans = spans().filter((s) => s.kind === CLIENT)
    for (const sample of client) {
      const { trace_id, span_id } = sample.exemplar?.labels ?? {}
      expect(clientSpans.some((s) => s.traceId === trace_id && s.spanId === span_id)).toBe(true)
    }
  })

  it('keeps the text format 0.0.4, unchanged, for every other scraper', async () => {
    for (const accept of [
      undefined,
      '*/*',
      'text/plain;version=0.0.4',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'application/openmetrics-text;q=0.1,text/plain;q=0.5',
    ]) {
      const text = await scrape(service, accept)
      expect(text.type, String(accept)).toBe(TEXT_CONTENT_TYPE)
      expect(text.text).not.toContain('# EOF')
      expect(text.text).not.toContain(' # {')
      expect(text.text).not.toContain('_created')
      expect(text.text).toMatch(/^# TYPE otelkit_errors_total counter$/m)
      expect(text.text).toMatch(/^http_server_request_duration_seconds_bucket\{[^}]*le="1"\} \d+$/m)
      expect(text.text).toMatch(/^# TYPE target_info gauge$/m)
    }
  })

  it('renders and caches each format on its own, behind the same token', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => scrape(service, i % 2 === 0 ? PROMETHEUS_ACCEPT : undefined)),
    )
    answers.forEach((answer, i) => {
      expect(answer.type).toBe(i % 2 === 0 ? OM_CONTENT_TYPE : TEXT_CONTENT_TYPE)
      expect(answer.text.endsWith('# EOF\n')).toBe(i % 2 === 0)
    })
    expect((await scrape(service, PROMETHEUS_ACCEPT, null)).status).toBe(401)
    expect((await scrape(service, PROMETHEUS_ACCEPT, 'wrong-token')).status).toBe(401)
  })
})

describe('unsampled requests (OTEL_TRACES_SAMPLER=always_off)', () => {
  const name = 'openmetrics-unsampled'
  let service: RunningService

  beforeAll(async () => {
    service = await startApp(name, { OTEL_TRACES_SAMPLER: 'always_off', OTELKIT_METRICS_CACHE: '0' })
    for (let i = 0; i < 3; i++) await (await service.get('/ok')).text()
    await (await service.get('/outbound/x')).text()
    await (await service.get('/error')).text()
  }, 60_000)
  afterAll(async () => {
    await service?.stop()
  })

  it('counts the requests but gives no exemplar', async () => {
    const families = parseOpenMetrics((await scrape(service, PROMETHEUS_ACCEPT)).text)
    const duration = families.get('http_server_request_duration_seconds')
    const counts = duration?.samples.filter((s) => s.name.endsWith('_count')) ?? []
    expect(counts.reduce((n, s) => n + s.value, 0)).toBe(7)
    for (const family of families.values()) expect(exemplars(family), family.name).toEqual([])
    expect(receiver.spans.filter((s) => s.service === name)).toEqual([])
  })
})
