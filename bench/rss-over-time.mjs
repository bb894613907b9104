// Where a server's RSS goes under a long load (not part of `pnpm bench`): each variant of an app
// runs under one continuous load (10 connections, every span exported to a local sink, /metrics
// scraped every 5 s) and is sampled at 15 s, 30 s and 60 s (BENCH_SAMPLES: other seconds,
// comma-separated): RSS, the young generation V8 holds (new space and new large-object space) and
// the rest. V8 grows the young generation whenever the bytes that survived scavenges since its
// last growth pass its size, so how far it has grown at a given moment depends on the bytes each
// request leaves alive and on how long the load has run: RSS after 15 s is partly a measure of
// time. The rest (code, old generation, native memory) is what the overhead benchmark's RSS row
// would be if both young generations were the same size. The RSS is also split by what is resident:
// the young generation, the old generation (old space and large objects), V8's other spaces (code,
// trusted, read-only), native memory outside V8's heap (malloc: buffers' backing stores, compiler
// zones, Node's own structures; anonymous RSS less V8's resident pages) and file-backed pages (the
// node binary and libraries touched).
//   node bench/rss-over-time.mjs [express|hello|shop-api] [variants, comma-separated: bare,otelkit]
import {
  freePort,
  HEAP_REPORT_FLAGS,
  heapReport,
  runLoad,
  startScraper,
  startServer,
  startSink,
  stopServer,
} from './lib/harness.mjs'
import { requestApp, variantEnv, variantFlags } from './lib/request-apps.mjs'

const [appName = 'hello', variantList = 'bare,otelkit'] = process.argv.slice(2)
const SAMPLES_S = (process.env.BENCH_SAMPLES ?? '15,30,60').split(',').map(Number)
const app = requestApp(appName)
const variants = variantList.split(',')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function measure(variant) {
  const sink = await startSink()
  const metricsPort = await freePort()
  const server = await startServer({
    args: [...HEAP_REPORT_FLAGS, ...variantFlags(variant), app.script],
    cwd: app.cwd,
    env: variantEnv(app, variant, sink.url, metricsPort, await freePort()),
  })
  const scraper = variant === 'bare' ? undefined : startScraper(`http://127.0.0.1:${metricsPort}/metrics`)
  const rows = []
  try {
    const started = Date.now()
    const load = runLoad({
      url: `http://127.0.0.1:${server.port}${app.path}`,
      connections: 10,
      duration: SAMPLES_S[SAMPLES_S.length - 1] + 1,
    })
    for (const at of SAMPLES_S) {
      await sleep(started + at * 1000 - Date.now())
      rows.push({ at, ...(await heapReport(server)) })
    }
    const result = await load
    return { rows, rps: result.rps }
  } finally {
    scraper?.stop()
    await stopServer(server)
    sink.server.close()
  }
}

const results = {}
for (const variant of variants) results[variant] = await measure(variant)
const base = results[variants[0]]
console.log(`${appName}: RSS under one continuous load, sampled (MB; over ${variants[0]} in brackets)`)
console.log(
  '| variant | after | RSS | young generation (size) | RSS without it | young resident | old generation | other V8 spaces | native | file-backed | req/s |',
)
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
for (const variant of variants) {
  const { rows, rps } = results[variant]
  rows.forEach((row, i) => {
    const b = base.rows[i]
    const over = (key) => {
      const value = typeof key === 'function' ? key(row) : row[key]
      const baseValue = typeof key === 'function' ? key(b) : b[key]
      if (variant === variants[0]) return value.toFixed(1)
      const delta = value - baseValue
      return `${value.toFixed(1)} (${delta < 0 ? '−' : '+'}${Math.abs(delta).toFixed(1)})`
    }
    const cells = [
      over('rss'),
      over('young'),
      over((r) => r.rss - r.young),
      over('youngResident'),
      over('old'),
      over('otherHeap'),
      over('native'),
      over('file'),
    ]
    console.log(
      `| ${variant} | ${row.at} s | ${cells.join(' | ')} | ${i === rows.length - 1 ? rps.toFixed(0) : ''} |`,
    )
  })
}
process.exit(0)
