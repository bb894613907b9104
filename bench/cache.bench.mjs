// @otelkit/cache hit paths side by side (issue 4), in one run on the shared Redis (127.0.0.1:6379),
// 1 KB values, sequential and 50 concurrent, interleaved rounds:
//   raw ioredis GET | otelkit L2 hit | otelkit L1 hit | bentocache L2 hit | bentocache L1 hit | cache-manager (Keyv Redis store) hit
// Reports ops/s median (min–max) over rounds, the ratio of each median to raw ioredis, and single-call
// latency percentiles of the L1 hit paths. Targets: otelkit L2 hit >= 0.90x raw ioredis; otelkit L1 hit p50 <= 1 us.
// Keys live under a random prefix and are removed at the end. Exits 0 even when a target is missed.
import { randomBytes } from 'node:crypto'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { median, ROOT } from './lib/harness.mjs'

const deps = await import(join(ROOT, 'packages/cache/bench/deps.mjs'))
const { createCache } = await import(join(ROOT, 'packages/cache/dist/index.js'))
const { Redis, BentoCache, bentostore, redisDriver, memoryDriver, createCacheManager, KeyvRedis, Keyv } = deps

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const SEQ_OPS = Number(process.env.BENCH_SEQ_OPS ?? 4000)
const CONC_OPS = Number(process.env.BENCH_CONC_OPS ?? 20000)
const CONCURRENCY = 50
const KEYS = 500
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const prefix = `otelkit-bench:${randomBytes(4).toString('hex')}:`

// a 1 KB JSON object (what a product row or a small API response looks like)
const value = {
  id: 12345,
  sku: 'SKU-0012345',
  name: 'Stainless steel water bottle, 750 ml',
  category: 'kitchen',
  price_cents: 2499,
  stock: 118,
  tags: ['outdoor', 'kitchen', 'bpa-free', 'gift'],
  description: 'x'.repeat(760),
}
const valueJson = JSON.stringify(value)

const raw = new Redis(REDIS_URL)
const otelL2 = createCache({ name: 'bench-l2', prefix: `${prefix}o:`, redis: raw, jitter: 0 })
const otelL1 = createCache({
  name: 'bench-l1',
  prefix: `${prefix}o:`,
  redis: raw,
  l1: { maxEntries: 10_000, maxTtl: '1h' },
})
const bentoConn = new Redis(REDIS_URL)
const bentoL2 = new BentoCache({
  default: 'c',
  prefix: `${prefix}b2`,
  stores: { c: bentostore().useL2Layer(redisDriver({ connection: bentoConn })) },
})
const bentoL1 = new BentoCache({
  default: 'c',
  prefix: `${prefix}b1`,
  stores: {
    c: bentostore()
      .useL1Layer(memoryDriver({ maxItems: 10_000 }))
      .useL2Layer(redisDriver({ connection: bentoConn })),
  },
})
const keyvStore = new KeyvRedis(REDIS_URL)
const cm = createCacheManager({ stores: [new Keyv({ store: keyvStore, namespace: `${prefix}cm` })] })

const key = (i) => `k${i % KEYS}`
await otelL2.ready()
await otelL1.ready()
for (let i = 0; i < KEYS; i++) {
  await raw.set(`${prefix}raw:${key(i)}`, valueJson, 'EX', 3600)
  await otelL2.set(key(i), value, { ttl: '1h' })
  await bentoL2.set({ key: key(i), value, ttl: '1h' })
  await bentoL1.set({ key: key(i), value, ttl: '1h' })
  await cm.set(key(i), value, 3_600_000)
}
// warm L1s
for (let i = 0; i < KEYS; i++) {
  await otelL1.get(key(i))
  await bentoL1.get({ key: key(i) })
}
// sanity: every variant returns the value
const checks = {
  raw: JSON.parse(await raw.get(`${prefix}raw:${key(1)}`)),
  otelL2: await otelL2.get(key(1)),
  otelL1: await otelL1.get(key(1)),
  bentoL2: await bentoL2.get({ key: key(1) }),
  bentoL1: await bentoL1.get({ key: key(1) }),
  cm: await cm.get(key(1)),
}
for (const [name, v] of Object.entries(checks)) {
  if (v?.sku !== value.sku) throw new Error(`${name} did not return the stored value`)
}

const VARIANTS = {
  'raw ioredis GET': (i) => raw.get(`${prefix}raw:${key(i)}`),
  'raw ioredis GET + JSON.parse': (i) => raw.get(`${prefix}raw:${key(i)}`).then(JSON.parse),
  'otelkit L2 hit': (i) => otelL2.get(key(i)),
  'otelkit L1 hit': (i) => otelL1.get(key(i)),
  'bentocache L2 hit': (i) => bentoL2.get({ key: key(i) }),
  'bentocache L1 hit': (i) => bentoL1.get({ key: key(i) }),
  'cache-manager hit (Keyv Redis)': (i) => cm.get(key(i)),
}

/** Seconds to run `ops` calls one after another. */
async function sequential(fn, ops) {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < ops; i++) await fn(i)
  return Number(process.hrtime.bigint() - t0) / 1e9
}

/** Seconds to run `ops` calls with CONCURRENCY in flight. */
async function concurrent(fn, ops) {
  let next = 0
  const worker = async () => {
    while (next < ops) await fn(next++)
  }
  const t0 = process.hrtime.bigint()
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return Number(process.hrtime.bigint() - t0) / 1e9
}

const results = { sequential: {}, concurrent: {} }
for (const name of Object.keys(VARIANTS)) {
  results.sequential[name] = []
  results.concurrent[name] = []
}
// warm-up round, not recorded
for (const fn of Object.values(VARIANTS)) {
  await sequential(fn, 500)
  await concurrent(fn, 2000)
}
// Each round is cut into SLICES; in every slice each variant runs its share, in a rotating order,
// so background load on the shared machine falls on all variants alike rather than on whichever
// happened to run during a burst. A round's throughput is its ops over its summed time.
const SLICES = 20
const names = Object.keys(VARIANTS)
for (let round = 0; round < ROUNDS; round++) {
  const seconds = { sequential: {}, concurrent: {} }
  for (const name of names) {
    seconds.sequential[name] = 0
    seconds.concurrent[name] = 0
  }
  for (let slice = 0; slice < SLICES; slice++) {
    const order = names.map((_, i) => names[(i + slice + round) % names.length])
    for (const name of order) {
      seconds.sequential[name] += await sequential(VARIANTS[name], SEQ_OPS / SLICES)
      seconds.concurrent[name] += await concurrent(VARIANTS[name], CONC_OPS / SLICES)
    }
  }
  for (const name of names) {
    results.sequential[name].push(SEQ_OPS / seconds.sequential[name])
    results.concurrent[name].push(CONC_OPS / seconds.concurrent[name])
  }
}

async function latency(fn, calls) {
  const samples = new Float64Array(calls)
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint()
    await fn(i)
    samples[i] = Number(process.hrtime.bigint() - t0)
  }
  samples.sort()
  const p = (q) => samples[Math.min(calls - 1, Math.floor(q * calls))] / 1000
  return { p50: p(0.5), p99: p(0.99) }
}
const lat = {
  'otelkit L1 hit': await latency(VARIANTS['otelkit L1 hit'], 200_000),
  'bentocache L1 hit': await latency(VARIANTS['bentocache L1 hit'], 200_000),
  'otelkit L2 hit': await latency(VARIANTS['otelkit L2 hit'], 5_000),
  'raw ioredis GET': await latency(VARIANTS['raw ioredis GET'], 5_000),
}

const fmt = (n) => Math.round(n).toLocaleString('en-US')
const lines = []
lines.push('## Cache hit paths (`bench/cache.bench.mjs`)', '')
lines.push(
  `Node ${process.version}, Redis on 127.0.0.1:6379 (shared machine, 2 cores), 1 KB JSON values over ${KEYS} keys, ` +
    `${ROUNDS} rounds of ${fmt(SEQ_OPS)} sequential and ${fmt(CONC_OPS)} ${CONCURRENCY}-concurrent gets per variant, each round interleaved in ${SLICES} slices. ` +
    'Throughput in operations per second: median (min–max); ratio = median / raw ioredis GET median. No MeterProvider registered (metrics are no-ops), as for the other libraries. ' +
    `Load average at the end of the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' / ',
      )} on ${cpus().length} cores (above the core count, other processes competed for the CPU and ranges widen).`,
  '',
)
for (const mode of ['sequential', 'concurrent']) {
  const base = median(results[mode]['raw ioredis GET'])
  lines.push(`### ${mode === 'sequential' ? 'Sequential (1 in flight)' : `${CONCURRENCY} concurrent`}`, '')
  lines.push('| variant | ops/s median (min–max) | ratio to raw ioredis |', '| --- | --- | --- |')
  for (const name of names) {
    const list = results[mode][name]
    lines.push(
      `| ${name} | ${fmt(median(list))} (${fmt(Math.min(...list))}–${fmt(Math.max(...list))}) | ${(median(list) / base).toFixed(2)}× |`,
    )
  }
  lines.push('')
}
lines.push('### Single-call latency', '', '| variant | p50 (µs) | p99 (µs) |', '| --- | --- | --- |')
for (const [name, l] of Object.entries(lat))
  lines.push(`| ${name} | ${l.p50.toFixed(2)} | ${l.p99.toFixed(2)} |`)
lines.push('')

const l2Seq = median(results.sequential['otelkit L2 hit']) / median(results.sequential['raw ioredis GET'])
const l2Conc = median(results.concurrent['otelkit L2 hit']) / median(results.concurrent['raw ioredis GET'])
const parseConc =
  median(results.concurrent['otelkit L2 hit']) / median(results.concurrent['raw ioredis GET + JSON.parse'])
const parseSeq =
  median(results.sequential['otelkit L2 hit']) / median(results.sequential['raw ioredis GET + JSON.parse'])
const targets = [
  [`otelkit L2 hit ≥ 0.90× raw ioredis (sequential ${l2Seq.toFixed(2)}×)`, l2Seq >= 0.9],
  [`otelkit L2 hit ≥ 0.90× raw ioredis (50 concurrent ${l2Conc.toFixed(2)}×)`, l2Conc >= 0.9],
  [`otelkit L1 hit p50 ≤ 1 µs (${lat['otelkit L1 hit'].p50.toFixed(2)} µs)`, lat['otelkit L1 hit'].p50 <= 1],
]
const fallbacks = otelL2.core.breaker.opened + otelL1.core.breaker.opened
lines.push(
  `otelkit fell back to the loader path during the run: breaker opened ${fallbacks} time(s)` +
    (fallbacks > 0
      ? ' (Redis stalled past the 50 ms command timeout: the machine was overloaded; numbers of that round include fast misses)'
      : ''),
  '',
)
lines.push('### Targets', '')
for (const [text, ok] of targets) lines.push(`- ${ok ? 'met' : '**missed**'}: ${text}`)
lines.push(
  '',
  `Like for like (a cache hands back an object, so it must parse): otelkit L2 hit / (raw ioredis GET + JSON.parse) = ` +
    `${parseSeq.toFixed(2)}× sequential, ${parseConc.toFixed(2)}× at ${CONCURRENCY} concurrent.`,
  '',
)
process.stdout.write(`${lines.join('\n')}\n`)

// clean up: only our prefix
let cursor = '0'
do {
  const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
  cursor = next
  if (keys.length) await raw.unlink(...keys)
} while (cursor !== '0')
await otelL1.close()
await otelL2.close()
await bentoL1.disconnect().catch(() => {})
await bentoL2.disconnect().catch(() => {})
await cm.disconnect().catch(() => {})
raw.disconnect()
bentoConn.disconnect()
process.exit(0)
