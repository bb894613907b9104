/**
 * /metrics turned against the service, through the real preload and real sockets: with the HTTP
 * series at their cap, 100 scrapers that never read must not take the service's memory or its
 * requests; and /metrics can require a bearer token.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { METRICS_SIZE_BOUNDS } from '../src/metrics/prometheus-text.js'
import { rawGet, silentClients } from './support/hostile-clients.js'
import { killAll, type RunningService, rssMb, seriesValue, startService } from './support/service.js'

afterAll(() => killAll())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Sends `paths` with `concurrency` requests in flight; returns each status (0: failed or timed out). */
async function requestAll(service: RunningService, paths: string[], concurrency: number): Promise<number[]> {
  const statuses: number[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const path = paths[next++] as string
        try {
          const res = await service.get(path, { signal: AbortSignal.timeout(5000) })
          await res.arrayBuffer()
          statuses.push(res.status)
        } catch {
          statuses.push(0)
        }
      }
    }),
  )
  return statuses
}

const renders = (text: string) => seriesValue(text, 'otelkit_metrics_render_duration_seconds_count')

describe('/metrics against 100 scrapers that never read', () => {
  it('keeps the service answering, renders once for all of them, and grows RSS by < 100 MB', async () => {
    const service = await startService({ fixture: 'metrics-app.mjs', env: { OTEL_SERVICE_NAME: 'hostile' } })
    const pid = service.child.pid as number
    // http.server.request.duration at its 2,000-series cap: 100 route templates x 20 statuses.
    const fill = Array.from({ length: 2000 }, (_, i) => `/series/${i % 100}/${200 + Math.floor(i / 100)}`)
    expect((await requestAll(service, fill, 16)).every((s) => s >= 200 && s < 300)).toBe(true)

    const atCap = await service.metrics()
    const bytes = Buffer.byteLength(atCap)
    expect(seriesValue(atCap, 'http_server_request_duration_seconds_count')).toBe(2000)
    expect(bytes).toBeGreaterThan(5_000_000)
    expect(bytes).toBeLessThan(METRICS_SIZE_BOUNDS.perHistogramAtCap)

    await requestAll(
      service,
      Array.from({ length: 1000 }, () => '/ok'),
      10,
    )
    await sleep(1100) // past OTELKIT_METRICS_CACHE: the scrapers get a render of their own
    const rssBefore = rssMb(pid)
    let rssPeak = rssBefore
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMb(pid))
    }, 20)
    const scrapers = await silentClients(service.opsPort, 100, rawGet('/metrics'))
    try {
      expect(scrapers.sockets.length).toBe(100)
      const statuses = await requestAll(
        service,
        Array.from({ length: 3000 }, () => '/ok'),
        10,
      )
      expect(statuses.filter((s) => s !== 200)).toEqual([])
      await sleep(500)
    } finally {
      clearInterval(sampler)
      scrapers.destroy()
    }
    expect(rssPeak - rssBefore).toBeLessThan(100)

    await sleep(1100)
    const after = await service.metrics()
    // Renders before `after`: the one at the cap, then the one shared by the 100 scrapers (a
    // second if the server reads a scraper's request after OTELKIT_METRICS_CACHE has expired).
    const hostileRenders = renders(after) - renders(atCap) - 1
    expect(hostileRenders).toBeGreaterThanOrEqual(1)
    expect(hostileRenders).toBeLessThanOrEqual(2)
    await service.stop()
  }, 120_000)
})

describe('OTELKIT_METRICS_TOKEN', () => {
  it('answers /metrics only with the bearer token; health stays open', async () => {
    const token = 'metrics-token-0123456789abcdef'
    const service = await startService({
      fixture: 'metrics-app.mjs',
      env: { OTEL_SERVICE_NAME: 'token', OTELKIT_METRICS_TOKEN: token },
    })
    try {
      const url = `http://127.0.0.1:${service.opsPort}/metrics`
      const none = await fetch(url)
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="otelkit"')
      expect(await none.text()).not.toContain('target_info')
      expect(
        (await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789ab' } })).status,
      ).toBe(401)
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      expect(ok.status).toBe(200)
      expect(await ok.text()).toContain('target_info{')
      expect((await fetch(`http://127.0.0.1:${service.opsPort}/healthz`)).status).toBe(200)
      expect(service.stderr()).not.toContain(token)
    } finally {
      await service.stop()
    }
  })
})
