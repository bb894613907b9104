/**
 * Failure injection against the test's own redis-server: killed during a mixed load (0 failed calls,
 * loader used, breaker opens, recovery after restart), the coherence bus's connection dropped (it
 * subscribes again; closing while that SUBSCRIBE waits leaves no unhandled rejection) and paused
 * with SIGSTOP (calls still return, through the loader, bounded by the command timeout).
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCache } from '../src/index.js'
import { expectWriteDropsL1Copy } from './support/l1.js'
import { eventually, freePort, RedisProcess } from './support/redis.js'

let server: RedisProcess
beforeAll(async () => {
  server = await RedisProcess.start()
})
afterAll(async () => {
  await server.stop()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('chaos', () => {
  it('Redis killed during mixed load: no call fails, the breaker opens, and the cache recovers after restart', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 })
    redis.on('error', () => {})
    const warnings: string[] = []
    const cache = createCache({
      name: 'chaos',
      redis,
      commandTimeout: 200,
      l1: true,
      breaker: { threshold: 3, resetAfter: 200, maxResetAfter: 400 },
      logger: { warn: (m) => warnings.push(m) },
    })
    expect(await cache.ready()).toBe(true)
    let loaderCalls = 0
    let failed = 0
    let completed = 0
    let stop = false
    const loader = async () => {
      loaderCalls++
      return { at: Date.now() }
    }
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const key = `k${(w * 7 + i) % 50}`
        try {
          switch (i % 4) {
            case 0:
              await cache.getOrSet(key, loader, { ttl: 200 })
              break
            case 1:
              await cache.get(key)
              break
            case 2:
              await cache.set(key, { i })
              break
            default:
              await cache.delete(key)
          }
          completed++
        } catch {
          failed++
        }
        await sleep(1)
      }
    }
    const workers = Array.from({ length: 20 }, (_, w) => worker(w))
    await sleep(200)
    await server.kill()
    const loaderBefore = loaderCalls
    await eventually(() => cache.core.breaker.isOpen, 10_000)
    await sleep(300)
    expect(loaderCalls).toBeGreaterThan(loaderBefore)
    await server.start()
    let attempt = 0
    await eventually(async () => {
      const key = `recovered:${attempt++}`
      await cache.getOrSet(key, loader, { ttl: '1m' })
      return !cache.core.breaker.isOpen && (await redis.exists(`chaos:${key}`).catch(() => 0)) === 1
    }, 20_000)
    stop = true
    await Promise.all(workers)
    expect(failed).toBe(0)
    expect(completed).toBeGreaterThan(100)
    expect(cache.core.breaker.opened).toBeGreaterThanOrEqual(1)
    // errors are logged at most once a minute per kind: a handful of lines, not one per failed call
    expect(warnings.length).toBeLessThan(15)
    expect(warnings.some((w) => w.includes('breaker opened'))).toBe(true)
    await cache.close()
    redis.disconnect()
  })

  it('Redis never reachable: ready() gives up at its timeout and every call is served by the loader', async () => {
    const redis = new Redis({ port: await freePort(), host: '127.0.0.1', maxRetriesPerRequest: 1 })
    redis.on('error', () => {})
    const cache = createCache({ name: 'unreachable', redis, l1: true, logger: { warn() {} } })
    expect(await cache.ready(300)).toBe(false)
    let calls = 0
    const loader = async () => ++calls
    expect(await cache.getOrSet('a', loader)).toBe(1)
    await cache.set('b', 2)
    expect((await cache.delete('b')).ok).toBe(false)
    expect(await cache.invalidateTags(['t'])).toEqual({ keys: 0, ok: false })
    expect(calls).toBe(1)
    await cache.close()
    redis.disconnect()
  })

  it('the bus subscribes again after its connection drops: L1 copies are still dropped', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1' })
    redis.on('error', () => {})
    const admin = new Redis({ port: server.port, host: '127.0.0.1' })
    const a = createCache({ name: 'bus', redis, l1: true, logger: { warn() {} } })
    const b = createCache({ name: 'bus', redis, l1: true, logger: { warn() {} } })
    try {
      expect(await a.ready()).toBe(true)
      expect(await b.ready()).toBe(true)
      const subscriber = (b.core.bus as unknown as { subscriber: Redis }).subscriber
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
      await eventually(() => subscriber.status !== 'ready', 1000)
      await eventually(() => subscriber.status === 'ready', 5000)
      // A's write reaches B over the resubscribed channel; B's L1 copy goes.
      await expectWriteDropsL1Copy(a, b, 'k', 5000)
    } finally {
      await a.close()
      await b.close()
      redis.disconnect()
      admin.disconnect()
    }
  })

  it('closed while the bus resubscribes after a reconnect: no unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    // No handshake and no ready check: the subscriber is ready as soon as it connects, and
    // resubscribes at once (a paused server would otherwise hold the handshake, not the SUBSCRIBE).
    const redis = new Redis({
      port: server.port,
      host: '127.0.0.1',
      protocol: 2,
      enableReadyCheck: false,
      disableClientInfo: true,
    })
    redis.on('error', () => {})
    const admin = new Redis({ port: server.port, host: '127.0.0.1' })
    const cache = createCache({ name: 'resubscribe', redis, l1: true, logger: { warn() {} } })
    try {
      expect(await cache.ready()).toBe(true)
      const subscriber = (cache.core.bus as unknown as { subscriber: Redis }).subscriber
      // Drop the subscriber's connection, and hold every command for a while: it reconnects and
      // sends its SUBSCRIBE again, which stays without a reply until the cache closes.
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL')
      await eventually(() => subscriber.status === 'ready', 1000)
      await sleep(50)
      await cache.close()
      await sleep(100)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
      redis.disconnect()
      admin.disconnect()
    }
  })

  it('Redis paused (SIGSTOP): calls return through the loader instead of hanging', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 })
    redis.on('error', () => {})
    const cache = createCache({ name: 'paused', redis, commandTimeout: 200, logger: { warn() {} } })
    expect(await cache.ready()).toBe(true)
    await cache.set('p', 'cached')
    await eventually(async () => (await cache.get('p')) === 'cached')
    server.pause()
    try {
      let calls = 0
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          cache.getOrSet(`paused:${i}`, async () => {
            calls++
            return `loaded:${i}`
          }),
        ),
      )
      expect(results).toEqual(Array.from({ length: 20 }, (_, i) => `loaded:${i}`))
      expect(calls).toBe(20)
      expect(await cache.get('p')).toBeUndefined()
      await cache.set('q', 1)
    } finally {
      server.resume()
    }
    await cache.close()
    redis.disconnect()
  })
})
