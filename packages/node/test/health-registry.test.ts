import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { aggregate } from '../src/health/aggregate.js'
import { checks } from '../src/health/checks/index.js'
import { HealthRegistry } from '../src/health/registry.js'

describe('aggregation', () => {
  it('is down only when a critical check is down, degraded for any other failure', () => {
    expect(aggregate([])).toBe('up')
    expect(aggregate([{ status: 'up', critical: true }])).toBe('up')
    expect(aggregate([{ status: 'down', critical: false }])).toBe('degraded')
    expect(aggregate([{ status: 'degraded', critical: true }])).toBe('degraded')
    expect(aggregate([{ status: 'unknown', critical: true }])).toBe('up')
    expect(
      aggregate([
        { status: 'degraded', critical: false },
        { status: 'down', critical: true },
      ]),
    ).toBe('down')
  })

  it('aggregates real runs of critical and non-critical checks', async () => {
    const registry = new HealthRegistry({ coalesceWindowMs: 0 })
    let cacheUp = true
    let dbUp = true
    registry.register('db', () => dbUp, { critical: true })
    registry.register('cache', () => cacheUp)
    expect((await registry.check()).status).toBe('up')
    cacheUp = false
    const degraded = await registry.check()
    expect(degraded.status).toBe('degraded')
    expect(degraded.checks.cache).toMatchObject({
      status: 'down',
      critical: false,
      lastError: 'check returned false',
    })
    dbUp = false
    expect((await registry.check()).status).toBe('down')
    cacheUp = true
    dbUp = true
    expect((await registry.check()).status).toBe('up')
  })
})

describe('a misbehaving check', () => {
  it('is down with the reason when it throws, rejects or returns garbage, and never throws itself', async () => {
    const registry = new HealthRegistry()
    registry.register('throws', () => {
      throw new Error('boom')
    })
    registry.register('rejects', async () => Promise.reject(new Error('connection refused')))
    registry.register('garbage', () => 42 as never)
    registry.register('garbage-object', () => ({ ok: true }) as never)
    registry.register('string', () => 'degraded')
    registry.register('object', () => ({ status: 'degraded' as const, message: 'replica lag 12 s' }))
    const report = await registry.check()
    expect(report.checks.throws).toMatchObject({ status: 'down', lastError: 'boom' })
    expect(report.checks.rejects).toMatchObject({ status: 'down', lastError: 'connection refused' })
    expect(report.checks.garbage?.status).toBe('down')
    expect(report.checks.garbage?.lastError).toContain('returned number 42')
    expect(report.checks['garbage-object']?.lastError).toContain('without a valid status')
    expect(report.checks.string).toMatchObject({ status: 'degraded' })
    expect(report.checks.object).toMatchObject({ status: 'degraded', lastError: 'replica lag 12 s' })
    expect(report.status).toBe('degraded')
    expect(report.checks.string?.lastSuccess).not.toBeNull()
    expect(report.checks.throws?.lastSuccess).toBeNull()
  })

  it('that hangs is cut by its timeout, its signal aborted, and not invoked again while it hangs', async () => {
    const registry = new HealthRegistry({ coalesceWindowMs: 0 })
    let release: () => void = () => {}
    let aborted: unknown
    let calls = 0
    registry.register(
      'hangs',
      (signal) => {
        calls++
        signal.addEventListener('abort', () => {
          aborted = signal.reason
        })
        return new Promise<void>((resolve) => {
          release = resolve
        })
      },
      { timeoutMs: 50 },
    )
    const first = await registry.check()
    expect(first.checks.hangs).toMatchObject({ status: 'down', lastError: 'timed out after 50 ms' })
    expect(String(aborted)).toContain('timed out after 50 ms')
    const second = await registry.check()
    expect(second.checks.hangs?.status).toBe('down')
    expect(second.checks.hangs?.lastError).toContain('previous run has not finished')
    expect(calls).toBe(1)
    release()
    await new Promise((r) => setImmediate(r))
    await registry.check()
    expect(calls).toBe(2)
  })

  it('rejects invalid registrations with OTELKIT_HEALTH_CHECK_INVALID', () => {
    const registry = new HealthRegistry()
    registry.register('ok', () => true)
    const code = (fn: () => void) => {
      try {
        fn()
      } catch (error) {
        return (error as { code?: string }).code
      }
      return 'no error'
    }
    expect(code(() => registry.register('', () => true))).toBe('OTELKIT_HEALTH_CHECK_INVALID')
    expect(code(() => registry.register('has space', () => true))).toBe('OTELKIT_HEALTH_CHECK_INVALID')
    expect(code(() => registry.register('ok', () => true))).toBe('OTELKIT_HEALTH_CHECK_INVALID')
    expect(code(() => registry.register('x', 'nope' as never))).toBe('OTELKIT_HEALTH_CHECK_INVALID')
    expect(code(() => registry.register('y', () => true, { timeoutMs: -1 }))).toBe(
      'OTELKIT_HEALTH_CHECK_INVALID',
    )
    expect(registry.unregister('ok')).toBe(true)
    expect(registry.unregister('ok')).toBe(false)
  })
})

describe('coalescing', () => {
  it('runs each check at most once per window however tight the probe loop', async () => {
    const registry = new HealthRegistry({ coalesceWindowMs: 200 })
    let runs = 0
    registry.register('dep', async () => {
      runs++
      await new Promise((r) => setTimeout(r, 5))
    })
    const started = performance.now()
    let probes = 0
    while (performance.now() - started < 700) {
      await Promise.all([registry.check(), registry.check(), registry.check()])
      probes += 3
    }
    const windows = Math.ceil((performance.now() - started) / 200)
    expect(probes).toBeGreaterThan(100)
    expect(runs).toBeGreaterThanOrEqual(1)
    expect(runs).toBeLessThanOrEqual(windows + 1)
    expect(registry.invocations).toBe(runs)
  })
})

describe('http upstream', () => {
  let server: Server
  let base: string
  const hung = new Set<import('node:http').ServerResponse>()
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') {
        hung.add(res)
        return
      }
      if (req.url === '/slow') {
        setTimeout(() => res.end('ok'), 120)
        return
      }
      res.statusCode = req.url === '/fail' ? 500 : 200
      res.end('ok')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    for (const res of hung) res.destroy()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  it('is up on 2xx, down on an unexpected status, degraded when slow, cut by the timeout when it hangs', async () => {
    const registry = new HealthRegistry()
    registry.register('ok', checks.http(`${base}/ok`))
    registry.register('fail', checks.http(`${base}/fail`))
    registry.register('accept500', checks.http(`${base}/fail`, { expectStatus: [500] }))
    registry.register('slow', checks.http(`${base}/slow`, { degradedLatencyMs: 50 }))
    registry.register('hang', checks.http(`${base}/hang`), { timeoutMs: 150 })
    const report = await registry.check()
    expect(report.checks.ok?.status).toBe('up')
    expect(report.checks.fail).toMatchObject({ status: 'down', lastError: 'unexpected HTTP status 500' })
    expect(report.checks.accept500?.status).toBe('up')
    expect(report.checks.slow?.status).toBe('degraded')
    expect(report.checks.slow?.lastError).toMatch(/^slow: \d+ ms > 50 ms$/)
    expect(report.checks.hang).toMatchObject({ status: 'down', lastError: 'timed out after 150 ms' })
    // The hung request was aborted: the upstream saw its connection close.
    await new Promise((r) => setTimeout(r, 50))
    const [res] = [...hung]
    expect(res?.req.socket.destroyed).toBe(true)
  })
})

describe('threshold checks', () => {
  it('disk, memory and event loop report on this process and host', async () => {
    const registry = new HealthRegistry()
    registry.register('disk', checks.disk({ path: '/', minFreeRatio: 0, degradedFreeRatio: 0 }))
    registry.register('disk-full', checks.disk({ path: '/', minFreeBytes: Number.MAX_SAFE_INTEGER }))
    registry.register('memory', checks.memory())
    registry.register('memory-tight', checks.memory({ maxRssBytes: 1024 }))
    registry.register('loop', checks.eventLoop({ resolutionMs: 10 }))
    const blocked = checks.eventLoop({ resolutionMs: 10, degradedDelayMs: 20, maxDelayMs: 10_000 })
    registry.register('loop-blocked', blocked)
    await new Promise((r) => setTimeout(r, 50))
    const until = Date.now() + 120
    while (Date.now() < until) {
      // keep the loop busy so the delay histogram records a long delay
    }
    await new Promise((r) => setTimeout(r, 30))
    const report = await registry.check()
    expect(report.checks.disk?.status).toBe('up')
    expect(report.checks['disk-full']?.status).toBe('down')
    expect(report.checks['disk-full']?.lastError).toContain('low disk space, /:')
    expect(report.checks.memory?.status).toBe('up')
    expect(report.checks['memory-tight']?.status).toBe('down')
    expect(report.checks['memory-tight']?.lastError).toContain('rss above')
    expect(report.checks['loop-blocked']?.status).toBe('degraded')
    expect(report.checks['loop-blocked']?.lastError).toContain('event-loop delay p99')
    await registry.reset()
  })
})
