// Overhead of the preload on the request path. Side by side, interleaved rounds:
//   bare          node app
//   otelkit       node --import @otelkit/node/register app   (traces 100% exported over OTLP to a sink)
//   otelkit 10%   the same with OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG 0.1
//   stock         node --import @opentelemetry/auto-instrumentations-node/register (+ its ESM loader)
// Every span exported over OTLP/HTTP to a local sink that discards it; /metrics scraped every 5 s.
// Apps: a hello-world node:http server, examples/shop-api GET /products/:id (one pg query, then one
// ioredis GET), and bench/apps/express-pg-redis.mjs GET /items/:id (one pg query and one ioredis
// GET in parallel, Express 5). Reports per variant: throughput and its ratio to bare, server CPU
// per request (process CPU time from /proc, all threads, divided by the requests answered), p99
// latency at 10 connections, RSS after load and the young generation V8 holds then (a heap report
// each server is asked for: bench/lib/heap-report.mjs); then the start-up time of `-e 0`.
// BENCH_COMPARE_REGISTER=<register.js of another build> adds that build at 100 % and 10 %;
// BENCH_APP=<part of an app's name> and BENCH_VARIANTS=<names> narrow the run.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { cpuMicros } from './lib/cpu.mjs'
import {
  freePort,
  HEAP_REPORT_FLAGS,
  heapReport,
  median,
  NODE,
  ROOT,
  runLoad,
  startScraper,
  startServer,
  startSink,
  stopServer,
  summary,
} from './lib/harness.mjs'
import { COMPARE_REGISTER, OTELKIT_FLAGS, STOCK_FLAGS, STOCK_REGISTER } from './lib/preloads.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 5)
// Steady state: a 2 s warm-up measured JIT compilation and heap growth still under way (the bare
// Express app itself took 436 µs per request in such a window and 299 µs after 12 s).
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10)
const SCRAPE_MS = 5000
const CONNECTIONS = 10
const ONLY_APP = process.env.BENCH_APP

const sink = await startSink()
const commonEnv = {
  OTEL_SERVICE_NAME: 'bench',
  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_METRICS_EXPORTER: 'prometheus',
  OTEL_LOG_LEVEL: 'error',
}
/** Each variant: preload flags, and its environment given the port its /metrics is served on. */
const VARIANTS = {
  bare: { flags: [], env: () => ({}) },
  otelkit: {
    flags: OTELKIT_FLAGS,
    env: (port) => ({ ...commonEnv, OTELKIT_OPS_PORT: String(port) }),
  },
  'otelkit 10%': {
    flags: OTELKIT_FLAGS,
    env: (port) => ({
      ...commonEnv,
      OTELKIT_OPS_PORT: String(port),
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    }),
  },
  stock: {
    flags: STOCK_FLAGS,
    env: (port) => ({ ...commonEnv, OTEL_EXPORTER_PROMETHEUS_PORT: String(port) }),
  },
}

if (COMPARE_REGISTER) {
  VARIANTS['otelkit (compared build)'] = {
    flags: ['--import', COMPARE_REGISTER],
    env: (port) => VARIANTS.otelkit.env(port),
  }
  VARIANTS['otelkit 10% (compared build)'] = {
    flags: ['--import', COMPARE_REGISTER],
    env: (port) => VARIANTS['otelkit 10%'].env(port),
  }
}
// BENCH_VARIANTS=<comma-separated names> measures only those (bare and otelkit always).
if (process.env.BENCH_VARIANTS) {
  const kept = new Set(['bare', 'otelkit', ...process.env.BENCH_VARIANTS.split(',')])
  for (const name of Object.keys(VARIANTS)) if (!kept.has(name)) delete VARIANTS[name]
}

/** `spans`: spans per request; the CPU targets of issue 14 depend on it. */
const APPS = {
  hello: { script: join(ROOT, 'bench/apps/hello.mjs'), cwd: ROOT, path: '/', env: {}, spans: 1 },
  'shop-api product-by-id': {
    script: join(ROOT, 'examples/shop-api/dist/server.js'),
    cwd: join(ROOT, 'examples/shop-api'),
    pathTemplate: '/products/:id',
    // The first 200 products: the ones every user of the shared database seeds (migrate below).
    idRange: [1, 200],
    setup: () => {
      const r = spawnSync(NODE, ['dist/migrate.js'], {
        cwd: join(ROOT, 'examples/shop-api'),
        env: { ...process.env, SEED_PRODUCTS: '200' },
        stdio: 'ignore',
      })
      if (r.status !== 0) throw new Error(`shop-api migrate failed with ${r.status}`)
    },
    env: { HOST: '127.0.0.1', REDIS_PREFIX: 'bench:' },
    spans: 3,
  },
  'express + pg + redis': {
    script: join(ROOT, 'bench/apps/express-pg-redis.mjs'),
    cwd: ROOT,
    pathTemplate: '/items/:id',
    idRange: [1, 1000],
    env: {},
    spans: 3,
  },
}

async function measure(appName, variantName) {
  const app = APPS[appName]
  const variant = VARIANTS[variantName]
  const metricsPort = await freePort()
  const server = await startServer({
    args: [...HEAP_REPORT_FLAGS, ...variant.flags, app.script],
    cwd: app.cwd,
    env: { ...variant.env(metricsPort), ...app.env, PORT: String(await freePort()) },
  })
  const scraper =
    variantName === 'bare' ? undefined : startScraper(`http://127.0.0.1:${metricsPort}/metrics`, SCRAPE_MS)
  try {
    const target = { url: `http://127.0.0.1:${server.port}`, connections: CONNECTIONS }
    if (app.idRange) Object.assign(target, { idRange: app.idRange, pathTemplate: app.pathTemplate })
    else target.url += app.path
    await runLoad({ ...target, duration: WARMUP })
    const cpuBefore = cpuMicros(server.child.pid)
    const result = await runLoad({ ...target, duration: DURATION })
    const cpu = cpuMicros(server.child.pid) - cpuBefore
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${appName}/${variantName}: ${result.non2xx} non-2xx, ${result.errors} errors`)
    }
    const scrapes = scraper?.stop()
    if (scraper !== undefined && scrapes === 0)
      throw new Error(`${appName}/${variantName}: /metrics never answered`)
    const { rss, young } = await heapReport(server)
    return { rps: result.rps, cpuUs: cpu / result.total, p99: result.p99, rss, young }
  } finally {
    scraper?.stop()
    await stopServer(server)
  }
}

/** A difference with its sign: `+12.3`, `−3.7`. */
function signed(value, digits) {
  return `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(digits)}`
}

function startupMs(flags, env) {
  const t0 = performance.now()
  const r = spawnSync(NODE, [...flags, '-e', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  })
  if (r.status !== 0) throw new Error(`start-up run failed with ${r.status}`)
  return performance.now() - t0
}

const lines = []
const out = (s = '') => lines.push(s)
out('## Preload overhead (`bench/overhead.bench.mjs`)')
out()
out(
  `Command: \`pnpm bench overhead\` (or \`node bench/overhead.bench.mjs\` after \`pnpm build\`). ${ROUNDS} interleaved rounds, ${DURATION} s each after a ${WARMUP} s warm-up, ${CONNECTIONS} connections (autocannon in its own process); every span exported over OTLP/HTTP protobuf to a local sink that discards it, \`/metrics\` scraped every ${SCRAPE_MS / 1000} s. CPU: server process CPU time (user + system, all threads, /proc) during the measured load, divided by the requests answered. Median (min–max).`,
)
out()
out(
  '| app | variant | req/s | ratio to bare | CPU µs / request | over bare | p99 ms | RSS after load (MB) | of which young generation |',
)
out('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
const verdicts = []
const verdict = (label, value, ok, target) =>
  verdicts.push(`${label}: ${value} (target ${target}) — ${ok ? 'met' : 'MISSED'}`)
for (const [appName, app] of Object.entries(APPS)) {
  if (ONLY_APP && !appName.includes(ONLY_APP)) continue
  app.setup?.()
  const order = Object.keys(VARIANTS)
  const r = Object.fromEntries(order.map((v) => [v, { rps: [], cpuUs: [], p99: [], rss: [], young: [] }]))
  for (let round = 0; round < ROUNDS; round++) {
    const rotated = order.slice(round % order.length).concat(order.slice(0, round % order.length))
    for (const variantName of rotated) {
      const m = await measure(appName, variantName)
      for (const k of Object.keys(m)) r[variantName][k].push(m[k])
    }
  }
  const bare = r.bare
  for (const v of order) {
    const ratios = r[v].rps.map((x, i) => x / bare.rps[i])
    const cpuOver = median(r[v].cpuUs) - median(bare.cpuUs)
    out(
      `| ${appName} | ${v} | ${summary(r[v].rps)} | ${v === 'bare' ? '1' : summary(ratios, 2)} | ${summary(r[v].cpuUs, 1)} | ${v === 'bare' ? '' : signed(cpuOver, 1)} | ${summary(r[v].p99)} | ${summary(r[v].rss, 1)} | ${summary(r[v].young)} |`,
    )
  }
  const ok = r.otelkit
  const ratio = median(ok.rps.map((x, i) => x / bare.rps[i]))
  const cpuOver = median(ok.cpuUs) - median(bare.cpuUs)
  const cpuTarget = app.spans === 1 ? 6 : 25
  verdict(
    `${appName}: CPU per request over bare, ${app.spans} span(s), all exported`,
    `${signed(cpuOver, 1)} µs`,
    cpuOver <= cpuTarget,
    `≤ +${cpuTarget} µs`,
  )
  const ratioTarget = app.spans === 1 ? 0.65 : 0.8
  verdict(`${appName}: throughput`, `${ratio.toFixed(2)}× bare`, ratio >= ratioTarget, `≥ ${ratioTarget}×`)
  if (app.spans === 3 && r['otelkit 10%'] !== undefined) {
    const sampledOver = median(r['otelkit 10%'].cpuUs) - median(bare.cpuUs)
    verdict(
      `${appName}: CPU per request over bare at 10% head sampling`,
      `${signed(sampledOver, 1)} µs`,
      sampledOver <= 10,
      '≤ +10 µs',
    )
  }
  if (appName === 'express + pg + redis') {
    const p99 = median(ok.p99) / median(bare.p99)
    verdict(
      `${appName}: p99 at ${CONNECTIONS} connections`,
      `×${p99.toFixed(2)} bare (${median(ok.p99)} vs ${median(bare.p99)} ms)`,
      p99 <= 1.5,
      '≤ ×1.5',
    )
  }
  const rssDelta = median(ok.rss) - median(bare.rss)
  const youngDelta = median(ok.young) - median(bare.young)
  verdict(
    `${appName}: RSS after load`,
    `bare + ${rssDelta.toFixed(1)} MB, of which young generation + ${youngDelta.toFixed(1)}`,
    rssDelta <= 30,
    '≤ + 30 MB',
  )
}

if (!ONLY_APP) {
  const startRounds = 10
  const starts = { bare: [], otelkit: [], stock: [] }
  for (let i = 0; i < startRounds; i++) {
    starts.bare.push(startupMs([], {}))
    starts.otelkit.push(startupMs(OTELKIT_FLAGS, { ...commonEnv, OTELKIT_OPS_PORT: '0' }))
    starts.stock.push(
      startupMs(['--import', STOCK_REGISTER], { ...commonEnv, OTEL_EXPORTER_PROMETHEUS_PORT: '0' }),
    )
  }
  out()
  out(`Start-up, \`node [--import …] -e 0\`, ${startRounds} interleaved runs, wall time in ms:`)
  out()
  out('| variant | ms | over bare |')
  out('| --- | --- | --- |')
  for (const v of ['bare', 'otelkit', 'stock']) {
    out(
      `| ${v} | ${summary(starts[v])} | ${v === 'bare' ? '' : signed(median(starts[v]) - median(starts.bare), 0)} |`,
    )
  }
  const startDelta = median(starts.otelkit) - median(starts.bare)
  verdict('start-up', `bare + ${startDelta.toFixed(0)} ms`, startDelta <= 60, '≤ + 60 ms')
}
out()
out('Targets:')
out()
for (const v of verdicts) out(`- ${v}`)
out()
out(`OTLP sink received ${sink.stats.requests} export requests (${(sink.stats.bytes / 1e6).toFixed(1)} MB).`)
sink.server.close()
process.stdout.write(`${lines.join('\n')}\n`)
