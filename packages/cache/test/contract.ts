/**
 * The contract every L2 backend must meet: run by contract-standalone.test.ts (shared Redis, random
 * prefix) and contract-cluster.test.ts (a 3-master Redis Cluster the test starts).
 */
import * as msgpack from '@msgpack/msgpack'
import type { Cluster, Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Cache,
  type CacheOptions,
  createCache,
  InvalidDurationError,
  InvalidKeyError,
  LoaderTimeoutError,
  msgpackSerializer,
  NotSerializableError,
} from '../src/index.js'
import { eventually, randomPrefix } from './support/redis.js'

export interface Backend {
  client: () => Redis | Cluster
  teardown: () => Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function contractSuite(label: string, setup: () => Promise<Backend>) {
  describe(`cache contract (${label})`, () => {
    let backend: Backend
    let raw: Redis | Cluster
    const caches: Cache[] = []
    const make = async (options: CacheOptions = {}) => {
      const cache = createCache({
        name: 'contract',
        prefix: randomPrefix(label),
        redis: raw,
        commandTimeout: '2s',
        logger: { warn() {} },
        ...options,
      })
      caches.push(cache)
      expect(await cache.ready()).toBe(true)
      return cache
    }

    beforeAll(async () => {
      backend = await setup()
      raw = backend.client()
    })
    afterAll(async () => {
      for (const cache of caches) {
        await cache.clear()
        await cache.close()
      }
      raw.disconnect()
      await backend.teardown()
    })

    it('round-trips plain JSON and Buffer, Date, BigInt, Map, Set', async () => {
      const cache = await make()
      const value = {
        s: 'x',
        n: 1.5,
        a: [1, null, true],
        d: new Date('2020-01-02T03:04:05.006Z'),
        b: Buffer.from([0, 1, 255]),
        big: 12345678901234567890n,
        m: new Map([['k', 1]]),
        set: new Set([1, 2]),
      }
      await cache.set('obj', value)
      expect(await cache.get('obj')).toEqual(value)
      await cache.set('plain', { a: 1 })
      expect(await cache.get('plain')).toEqual({ a: 1 })
      await cache.set('null', null)
      expect(await cache.get('null')).toBeNull()
    })

    it('get / has / delete', async () => {
      const cache = await make()
      expect(await cache.get('missing')).toBeUndefined()
      expect(await cache.has('k')).toBe(false)
      await cache.set('k', 'v')
      expect(await cache.has('k')).toBe(true)
      expect(await cache.delete('k')).toEqual({ keys: 1, ok: true })
      expect(await cache.get('k')).toBeUndefined()
    })

    it('getOrSet loads once, then serves the stored value', async () => {
      const cache = await make()
      let calls = 0
      const loader = async () => {
        calls++
        return { id: 7 }
      }
      expect(await cache.getOrSet('p:7', loader, { ttl: '5m' })).toEqual({ id: 7 })
      expect(await cache.getOrSet('p:7', loader)).toEqual({ id: 7 })
      expect(calls).toBe(1)
      expect(await raw.exists(`${cache.keyPrefix}p:7`)).toBe(1)
    })

    it('applies ttl (ms and strings) with ±10% jitter by default', async () => {
      const cache = await make()
      for (let i = 0; i < 20; i++) await cache.set(`j${i}`, i, { ttl: '10s' })
      const ttls = await Promise.all(
        Array.from({ length: 20 }, (_, i) => raw.pttl(`${cache.keyPrefix}j${i}`)),
      )
      for (const t of ttls) {
        expect(t).toBeGreaterThan(8_900)
        expect(t).toBeLessThanOrEqual(11_000)
      }
      expect(new Set(ttls.map((t) => Math.round(t / 10))).size).toBeGreaterThan(1)
      await cache.set('exact', 1, { ttl: 60_000, jitter: 0 })
      const exact = await raw.pttl(`${cache.keyPrefix}exact`)
      expect(exact).toBeGreaterThan(59_000)
      expect(exact).toBeLessThanOrEqual(60_000)
      await cache.set('short', 1, { ttl: 40, jitter: 0 })
      await eventually(async () => (await cache.get('short')) === undefined)
    })

    it('rejects bad TTLs, keys and values with typed errors', async () => {
      const cache = await make()
      await expect(cache.set('k', 1, { ttl: '5 parsecs' })).rejects.toBeInstanceOf(InvalidDurationError)
      await expect(cache.set('k', 1, { ttl: -1 })).rejects.toMatchObject({
        code: 'OTELKIT_CACHE_INVALID_DURATION',
      })
      await expect(cache.get('')).rejects.toBeInstanceOf(InvalidKeyError)
      await expect(cache.set('f', { f: () => 1 })).rejects.toBeInstanceOf(NotSerializableError)
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      await expect(cache.set('c', cyclic)).rejects.toMatchObject({ code: 'OTELKIT_CACHE_NOT_SERIALIZABLE' })
    })

    it('serves stale while one background refresh runs (stale-while-revalidate)', async () => {
      const cache = await make()
      let version = 0
      const loader = async () => {
        version++
        await sleep(30)
        return `v${version}`
      }
      expect(await cache.getOrSet('swr', loader, { ttl: 50, staleTtl: '10s', jitter: 0 })).toBe('v1')
      await sleep(80)
      const served = await Promise.all(
        Array.from({ length: 10 }, () =>
          cache.getOrSet('swr', loader, { ttl: '1m', staleTtl: '10s', jitter: 0 }),
        ),
      )
      expect(served.every((v) => v === 'v1')).toBe(true)
      await eventually(async () => (await cache.get('swr')) === 'v2')
      expect(version).toBe(2)
    })

    it('serves stale when the loader fails (staleIfError) and throws the loader error when there is none', async () => {
      const cache = await make()
      await cache.set('sie', 'old', { ttl: 30, staleTtl: '10s', jitter: 0 })
      await sleep(60)
      const failing = async () => {
        throw new Error('db down')
      }
      expect(await cache.getOrSet('sie', failing, { ttl: 30, staleTtl: '10s' })).toBe('old')
      await expect(cache.getOrSet('none', failing)).rejects.toThrow('db down')
    })

    it('soft timeout returns stale and finishes in the background; hard timeout throws LoaderTimeoutError', async () => {
      const cache = await make()
      await cache.set('soft', 'old', { ttl: 30, staleTtl: '10s', jitter: 0 })
      await sleep(60)
      const slow = async () => {
        await sleep(300)
        return 'new'
      }
      const noStale = cache.getOrSet('hard', slow, { timeouts: { hard: 50 } })
      await expect(noStale).rejects.toBeInstanceOf(LoaderTimeoutError)
      await expect(noStale).rejects.toMatchObject({ code: 'OTELKIT_CACHE_LOADER_TIMEOUT' })
      expect(await cache.getOrSet('soft', slow, { timeouts: { soft: 20 } })).toBe('old')
      await eventually(async () => (await cache.get('soft')) === 'new')
    })

    it('invalidates by tag: hard delete across slots', async () => {
      const cache = await make()
      for (let i = 0; i < 30; i++)
        await cache.set(`t:${i}`, i, { tags: i % 2 === 0 ? ['even', 'all'] : ['all'] })
      const result = await cache.invalidateTags(['even'])
      expect(result).toEqual({ keys: 15, ok: true })
      for (let i = 0; i < 30; i++) expect(await cache.get(`t:${i}`)).toBe(i % 2 === 0 ? undefined : i)
      expect((await cache.invalidateTags(['all'])).keys).toBe(15)
      expect(await cache.get('t:1')).toBeUndefined()
    })

    it('invalidates by tag: soft expire keeps values for stale serving', async () => {
      const cache = await make()
      let n = 0
      const loader = async () => `v${++n}`
      const opts = { ttl: '5m', staleTtl: '5m', tags: ['soft'] }
      expect(await cache.getOrSet('s1', loader, opts)).toBe('v1')
      expect((await cache.invalidateTags(['soft'], { soft: true })).keys).toBe(1)
      expect(await cache.get('s1')).toBeUndefined()
      expect(await cache.getOrSet('s1', loader, opts)).toBe('v1')
      await eventually(async () => (await cache.get('s1')) === 'v2')
    })

    it('invalidates by prefix (SCAN + UNLINK), namespace, and versioned namespace', async () => {
      const cache = await make()
      await cache.set('user:1:a', 1)
      await cache.set('user:1:b', 2)
      await cache.set('user:2:a', 3)
      expect(await cache.invalidatePrefix('user:1:')).toEqual({ keys: 2, ok: true })
      expect(await cache.get('user:1:a')).toBeUndefined()
      expect(await cache.get('user:2:a')).toBe(3)

      const ns = cache.namespace('orders')
      await ns.set('o1', 1)
      await cache.set('outside', 1)
      expect((await ns.clear()).keys).toBe(1)
      expect(await ns.get('o1')).toBeUndefined()
      expect(await cache.get('outside')).toBe(1)

      const versioned = cache.namespace('catalog', { versioned: true })
      await versioned.set('item', 'old')
      expect(await versioned.get('item')).toBe('old')
      const v = await versioned.bumpVersion()
      expect(v).toBeGreaterThan(0)
      expect(await versioned.get('item')).toBeUndefined()
      const again = cache.namespace('catalog', { versioned: true })
      expect(await again.get('item')).toBeUndefined()
      await again.set('item', 'new')
      expect(await versioned.get('item')).toBe('new')
    })

    it('compresses above the threshold and skips values over maxValueBytes', async () => {
      const cache = await make({ compression: { threshold: 100 }, maxValueBytes: 5_000 })
      const big = 'x'.repeat(4_000)
      await cache.set('big', big)
      expect(await cache.get('big')).toBe(big)
      expect(await raw.strlen(`${cache.keyPrefix}big`)).toBeLessThan(500)
      const huge = Array.from({ length: 3_000 }, (_, i) => `${i}-${Math.random()}`)
      let calls = 0
      const value = await cache.getOrSet('huge', async () => {
        calls++
        return huge
      })
      expect(value).toBe(huge)
      expect(await raw.exists(`${cache.keyPrefix}huge`)).toBe(0)
      await cache.getOrSet('huge', async () => ++calls)
      expect(calls).toBe(2)
    })

    it('uses a msgpack serializer when given one', async () => {
      const cache = await make({ serializer: msgpackSerializer(msgpack) })
      const value = { a: 1, big: 2n ** 40n, d: new Date(0), s: 'é' }
      await cache.set('mp', value)
      expect(await cache.get('mp')).toEqual(value)
    })

    it('with L1: serves from memory, bounded by entries and bytes', async () => {
      const cache = await make({ l1: { maxEntries: 3 } })
      for (let i = 0; i < 5; i++) await cache.set(`l${i}`, i)
      expect(cache.core.l1?.size).toBe(3)
      await raw.del(`${cache.keyPrefix}l4`)
      expect(await cache.get('l4')).toBe(4)
      const small = await make({ l1: { maxBytes: 200 } })
      await small.set('a', 'x'.repeat(100))
      await small.set('b', 'x'.repeat(100))
      expect(small.core.l1!.bytes).toBeLessThanOrEqual(200)
      expect(small.core.l1!.size).toBe(1)
    })

    it('getOrSet with the distributed lock loads once and releases the lock', async () => {
      const cache = await make({ lock: { ttl: '5s', poll: 10 } })
      let calls = 0
      const v = await cache.getOrSet('locked', async () => {
        calls++
        return 1
      })
      expect(v).toBe(1)
      expect(calls).toBe(1)
      expect(await raw.exists(`${cache.keyPrefix}locked:__lock`)).toBe(0)
    })
  })
}
