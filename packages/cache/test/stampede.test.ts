/** Stampede protection: 1,000 concurrent getOrSet on a cold key call the loader once per process, and once in all with the lock. */
import { afterAll, describe, expect, it } from 'vitest'
import { createCache } from '../src/index.js'
import { Child } from './support/child.js'
import { cleanPrefix, randomPrefix, sharedRedis } from './support/redis.js'

const redis = sharedRedis()
const prefix = randomPrefix('stampede')

afterAll(async () => {
  await cleanPrefix(redis, prefix)
  redis.disconnect()
})

describe('stampede', () => {
  it('1,000 concurrent misses in one process → 1 loader call', async () => {
    const cache = createCache({ name: 'stampede', prefix, redis, commandTimeout: '2s' })
    await cache.ready()
    let calls = 0
    const results = await Promise.all(
      Array.from({ length: 1000 }, () =>
        cache.getOrSet('cold', async () => {
          calls++
          await new Promise((r) => setTimeout(r, 50))
          return 'v'
        }),
      ),
    )
    expect(calls).toBe(1)
    expect(results.every((r) => r === 'v')).toBe(true)
    await cache.close()
  })

  it('with the lock, two processes × 1,000 concurrent misses → 1 loader call in total', async () => {
    const a = new Child('worker.mjs', { PREFIX: prefix })
    const b = new Child('worker.mjs', { PREFIX: prefix })
    try {
      await Promise.all([a.next('ready'), b.next('ready')])
      const message = { op: 'stampede', key: 'locked-cold', concurrency: 1000, loaderMs: 200, lock: true }
      a.send(message)
      b.send(message)
      const [ra, rb] = await Promise.all([
        a.next<{ calls: number; ok: boolean }>('stampede'),
        b.next<{ calls: number; ok: boolean }>('stampede'),
      ])
      expect(ra.ok && rb.ok).toBe(true)
      expect(ra.calls + rb.calls).toBe(1)
      // without the lock, single-flight is per process: at most one call in each
      const free = { ...message, key: 'unlocked-cold', lock: false }
      a.send(free)
      b.send(free)
      const [fa, fb] = await Promise.all([
        a.next<{ calls: number }>('stampede'),
        b.next<{ calls: number }>('stampede'),
      ])
      expect(fa.calls).toBeLessThanOrEqual(1)
      expect(fb.calls).toBeLessThanOrEqual(1)
      expect(fa.calls + fb.calls).toBeGreaterThanOrEqual(1)
    } finally {
      await Promise.all([a.kill(), b.kill()])
    }
  })
})
