/**
 * Bounded decoding, against the shared Redis: hostile and malformed entries are written straight
 * into Redis with ioredis and read through the cache. Each is a miss (`get` gives undefined,
 * `getOrSet` calls the loader), counted in otelkit.cache.errors with its error.type, logged once
 * per interval, and the event loop does not stall: a 1 ms ticker in this process sees no gap above
 * 50 ms (an observable with a generous bound, not a timing target; before the bounds, the gzip
 * bomb stalled it for seconds). Also: values the bounds would not read back are not written, and
 * tagged values of every kind still round-trip.
 */
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Cache, createCache } from '../src/index.js'
import { bigIntJson, FLAG_COMPRESSED, FLAG_TAGGED, gzipBomb, rawEntry } from './support/entries.js'
import { installMeterProvider, pointValue, readPoints, type TestReader } from './support/metrics.js'
import { cleanPrefix, randomPrefix, sharedRedis } from './support/redis.js'
import { startTicker } from './support/ticker.js'

const MAX_GAP_MS = 50
const redis = sharedRedis()
const prefix = randomPrefix('decode')
let reader: TestReader

beforeAll(() => {
  reader = installMeterProvider()
})
afterAll(async () => {
  await cleanPrefix(redis, prefix)
  redis.disconnect()
})

function makeCache(name: string, warnings: string[] = [], options: Parameters<typeof createCache>[0] = {}) {
  return createCache({
    name,
    prefix: `${prefix}${name}:`,
    redis,
    commandTimeout: '2s',
    logger: { warn: (m) => warnings.push(m) },
    ...options,
  })
}

const json = (value: unknown) => JSON.stringify(value)

/**
 * The smallest event-loop gap over up to five runs of `read`, 100 ms apart. Work that blocks the
 * loop blocks it on every run; a busy machine descheduling this process now and then does not do
 * it five times.
 */
async function leastGap(read: () => Promise<number>): Promise<number> {
  let least = Number.POSITIVE_INFINITY
  for (let attempt = 0; attempt < 5 && least >= MAX_GAP_MS; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 100))
    least = Math.min(least, await read())
  }
  return least
}

interface Hostile {
  name: string
  bytes: () => Buffer
  type: 'entry_too_large' | 'entry_malformed'
}

const HOSTILE: Hostile[] = [
  {
    name: 'a 510 KB gzip entry that inflates to 512 MiB',
    bytes: () => rawEntry({ flags: FLAG_COMPRESSED, payload: gzipBomb(512) }),
    type: 'entry_too_large',
  },
  {
    name: 'a gzip-compressed BigInt of 2 million digits',
    bytes: () => rawEntry({ flags: FLAG_COMPRESSED | FLAG_TAGGED, payload: gzipSync(bigIntJson(2_000_000)) }),
    type: 'entry_too_large',
  },
  {
    name: 'a BigInt of 1 million digits (under maxValueBytes)',
    bytes: () => rawEntry({ flags: FLAG_TAGGED, payload: bigIntJson(1_000_000) }),
    type: 'entry_too_large',
  },
  {
    name: 'a stored entry larger than maxValueBytes',
    bytes: () => rawEntry({ payload: json('x'.repeat(2 << 20)) }),
    type: 'entry_too_large',
  },
  {
    name: 'timestamps that are not digits (read as far future before)',
    bytes: () => rawEntry({ staleAt: ':::::::::::::', hardAt: ':::::::::::::', payload: json('poisoned') }),
    type: 'entry_malformed',
  },
  {
    name: 'a timestamp with a space',
    bytes: () => rawEntry({ staleAt: ' 999999999999', payload: json('poisoned') }),
    type: 'entry_malformed',
  },
  {
    name: 'staleAt after hardAt',
    bytes: () => rawEntry({ staleAt: '9999999999999', hardAt: '0000000000001', payload: json('x') }),
    type: 'entry_malformed',
  },
  { name: 'shorter than the header', bytes: () => Buffer.from('10123'), type: 'entry_malformed' },
  {
    name: 'an unknown format version',
    bytes: () => rawEntry({ head: '20', payload: json('x') }),
    type: 'entry_malformed',
  },
  {
    name: 'a flags byte that is not a digit',
    bytes: () => rawEntry({ head: '1z', payload: json('x') }),
    type: 'entry_malformed',
  },
  {
    name: 'the compressed flag on bytes that are not gzip',
    bytes: () => rawEntry({ flags: FLAG_COMPRESSED, payload: json('x') }),
    type: 'entry_malformed',
  },
  {
    name: 'a payload that is not JSON',
    bytes: () => rawEntry({ payload: '{"unterminated' }),
    type: 'entry_malformed',
  },
  {
    name: 'a BigInt that is not decimal digits',
    bytes: () => rawEntry({ flags: FLAG_TAGGED, payload: json({ $otelkit: 'n', v: '0x1f' }) }),
    type: 'entry_malformed',
  },
  {
    name: 'a Map that is not an array of entries',
    bytes: () => rawEntry({ flags: FLAG_TAGGED, payload: json({ $otelkit: 'm', v: 5 }) }),
    type: 'entry_malformed',
  },
  {
    name: 'the custom-serializer flag on a cache without one',
    bytes: () => rawEntry({ flags: 4, payload: json('x') }),
    type: 'entry_malformed',
  },
]

describe('bounded decoding of stored entries', () => {
  let cache: Cache
  const warnings: string[] = []
  beforeAll(async () => {
    cache = makeCache('hostile', warnings)
    await cache.ready()
  })
  afterAll(() => cache.close())

  it('treats every hostile or malformed entry as a miss, without blocking the event loop', async () => {
    const gaps: Record<string, number> = {}
    const reads = { entry_too_large: 0, entry_malformed: 0 }
    for (const [i, entry] of HOSTILE.entries()) {
      const key = `hostile-${i}`
      const bytes = entry.bytes()
      gaps[entry.name] = await leastGap(async () => {
        await redis.set(`${cache.keyPrefix}${key}`, bytes)
        const ticker = startTicker()
        const got = await cache.get(key)
        const gap = ticker.stop()
        let loaderCalls = 0
        const loaded = await cache.getOrSet(key, async () => {
          loaderCalls++
          return 'fresh'
        })
        // each write of the entry is read twice before it is replaced: by get, then by getOrSet
        reads[entry.type] += 2
        expect(got, entry.name).toBeUndefined()
        expect(loaded, entry.name).toBe('fresh')
        expect(loaderCalls, entry.name).toBe(1)
        expect(await cache.get(key), `${entry.name}: replaced by the loader's value`).toBe('fresh')
        return gap
      })
    }
    for (const [name, gap] of Object.entries(gaps))
      expect(gap, `event-loop gap reading ${name}`).toBeLessThan(MAX_GAP_MS)

    const errors = await readPoints(reader, 'otelkit.cache.errors')
    const count = (type: string) => pointValue(errors, { 'cache.name': 'hostile', 'error.type': type })
    for (const type of ['entry_too_large', 'entry_malformed'] as const)
      expect(count(type), type).toBe(reads[type])
    expect(count('serialization')).toBeUndefined()

    // one warning per kind per logInterval, however many entries were rejected
    const tooLarge = warnings.filter((w) => w.includes('was too large'))
    const malformed = warnings.filter((w) => w.includes('was malformed'))
    expect(tooLarge).toHaveLength(1)
    expect(malformed).toHaveLength(1)
    expect(tooLarge[0]).toMatch(/cache "hostile": .*treated as a miss/)
  })

  it('decodes a large valid tagged entry in one pass, without a reviver per value', async () => {
    // 100,000 numbers and one Date: a JSON.parse reviver took about 300 ms over this
    const payload = json({
      d: { $otelkit: 'd', v: '2020-01-02T03:04:05.006Z' },
      a: new Array(100_000).fill(0),
    })
    await redis.set(`${cache.keyPrefix}tagged-large`, rawEntry({ flags: FLAG_TAGGED, payload }))
    const gap = await leastGap(async () => {
      const ticker = startTicker()
      const value = (await cache.get('tagged-large')) as { d: Date; a: number[] }
      const gap = ticker.stop()
      expect(value.d).toEqual(new Date('2020-01-02T03:04:05.006Z'))
      expect(value.a).toHaveLength(100_000)
      return gap
    })
    expect(gap).toBeLessThan(MAX_GAP_MS)
  })

  it('round-trips tagged values nested in Maps, Sets and arrays, and at the top level', async () => {
    const value = {
      m: new Map<unknown, unknown>([
        [new Date(0), new Set([1n, -2n, Buffer.from('hi')])],
        ['k', [new Map([['inner', -12345678901234567890n]])]],
      ]),
      arr: [[new Date('2021-05-06T07:08:09.010Z')], null, { deep: { big: 7n } }],
      __proto__: 'kept as data',
      lookalike: { $otelkit: 'unknown-type', v: 1 },
    }
    await cache.set('nested', value)
    expect(await cache.get('nested')).toEqual(value)
    await cache.set('top-bigint', -42n)
    expect(await cache.get('top-bigint')).toBe(-42n)
    await cache.set('top-date', new Date(5))
    expect(await cache.get('top-date')).toEqual(new Date(5))
  })
})

describe('writes the bounds could not read back', () => {
  it('are skipped (counted as too_large), and values within the bounds are stored', async () => {
    const warnings: string[] = []
    const cache = makeCache('write-bounds', warnings, {
      compression: true,
      maxDecodedBytes: 10_000,
      maxBigIntDigits: 30,
    })
    await cache.ready()
    await cache.set('long-bigint', { n: 10n ** 40n })
    await cache.set('inflates-too-far', 'x'.repeat(20_000)) // gzip makes it tiny: the decoded size decides
    await cache.set('fine', { n: 10n ** 20n, s: 'x'.repeat(5_000) })
    expect(await cache.get('long-bigint')).toBeUndefined()
    expect(await cache.get('inflates-too-far')).toBeUndefined()
    expect(await cache.get('fine')).toEqual({ n: 10n ** 20n, s: 'x'.repeat(5_000) })
    expect(await cache.getOrSet('loaded', async () => 10n ** 40n)).toBe(10n ** 40n)
    const skipped = await readPoints(reader, 'otelkit.cache.writes.skipped')
    expect(pointValue(skipped, { 'cache.name': 'write-bounds', reason: 'too_large' })).toBe(3)
    expect(warnings.some((w) => w.includes('maxBigIntDigits (30)'))).toBe(true)
    await cache.close()
  })
})
