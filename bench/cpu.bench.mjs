// CPU per request of the preload, measured on the server process itself: one keep-alive client
// sends requests one after another and the server's CPU time (all threads, /proc) is divided by
// the request count. Less sensitive to a busy machine than throughput; rounds are interleaved.
// 30,000 warm-up requests first (BENCH_WARMUP): V8 tiers the request path up to Turbofan only after
// 10,000–30,000 requests, and until then its compiler threads' CPU is counted too (instructions.mjs).
// BENCH_APPS and BENCH_VARIANTS (comma-separated names) pick a subset; BENCH_COMPARE_REGISTER adds
// another build's register entry as the variant `compared`.
import http from 'node:http'
import { join } from 'node:path'
import { cpuMicros } from './lib/cpu.mjs'
import { getOk, median, ROOT, startServer, startSink, stopServer } from './lib/harness.mjs'
import { COMPARE_REGISTER, OTELKIT_FLAGS, STOCK_FLAGS, stockPrometheusPort } from './lib/preloads.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20000)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30000)

const sink = await startSink()
const common = {
  OTEL_SERVICE_NAME: 'bench',
  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  OTEL_METRICS_EXPORTER: 'prometheus',
  OTEL_LOG_LEVEL: 'error',
}
const tenPercent = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }
const ALL_VARIANTS = {
  bare: { flags: [], env: {} },
  'otelkit, traces off': {
    flags: OTELKIT_FLAGS,
    env: { ...common, OTEL_TRACES_EXPORTER: 'none', OTELKIT_OPS_PORT: '0' },
  },
  otelkit: {
    flags: OTELKIT_FLAGS,
    env: { ...common, OTEL_TRACES_EXPORTER: 'otlp', OTELKIT_OPS_PORT: '0' },
  },
  'otelkit 10%': {
    flags: OTELKIT_FLAGS,
    env: { ...common, ...tenPercent, OTEL_TRACES_EXPORTER: 'otlp', OTELKIT_OPS_PORT: '0' },
  },
  ...(COMPARE_REGISTER
    ? {
        compared: {
          flags: ['--import', COMPARE_REGISTER],
          env: { ...common, OTEL_TRACES_EXPORTER: 'otlp', OTELKIT_OPS_PORT: '0' },
        },
        'compared 10%': {
          flags: ['--import', COMPARE_REGISTER],
          env: { ...common, ...tenPercent, OTEL_TRACES_EXPORTER: 'otlp', OTELKIT_OPS_PORT: '0' },
        },
      }
    : {}),
  stock: {
    flags: STOCK_FLAGS,
    env: {
      ...common,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_PROMETHEUS_PORT: stockPrometheusPort(),
    },
  },
}
const ALL_APPS = {
  hello: { script: join(ROOT, 'bench/apps/hello.mjs'), cwd: ROOT, path: () => '/' },
  'shop-api product-by-id': {
    script: join(ROOT, 'examples/shop-api/dist/server.js'),
    cwd: join(ROOT, 'examples/shop-api'),
    path: (i) => `/products/${1 + ((i * 7919) % 200)}`,
    env: { HOST: '127.0.0.1', REDIS_PREFIX: 'bench:' },
  },
  'express + pg + redis': {
    script: join(ROOT, 'bench/apps/express-pg-redis.mjs'),
    cwd: ROOT,
    path: (i) => `/items/${1 + ((i * 7919) % 1000)}`,
  },
}

/** The entries of `all` named in the comma-separated `list` (all of them without a list). */
function pick(all, list) {
  if (!list) return all
  const names = list.split(',').map((n) => n.trim())
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)))
}
const VARIANTS = pick(ALL_VARIANTS, process.env.BENCH_VARIANTS)
const APPS = pick(ALL_APPS, process.env.BENCH_APPS)

async function measure(app, variant) {
  const port = 20000 + Math.floor(Math.random() * 20000)
  const server = await startServer({
    args: [...variant.flags, app.script],
    cwd: app.cwd,
    env: { ...variant.env, ...(app.env ?? {}), PORT: String(port) },
  })
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    for (let i = 0; i < WARMUP; i++) await getOk(agent, server.port, app.path(i))
    const before = cpuMicros(server.child.pid)
    for (let i = 0; i < REQUESTS; i++) await getOk(agent, server.port, app.path(i))
    return (cpuMicros(server.child.pid) - before) / REQUESTS
  } finally {
    agent.destroy()
    await stopServer(server)
  }
}

const out = []
out.push('## CPU per request (`bench/cpu.bench.mjs`)')
out.push('')
out.push(
  `Server CPU time (user + system, all threads) per request, ${REQUESTS} sequential keep-alive requests after ${WARMUP} warm-up requests (JIT settled), ${ROUNDS} interleaved rounds; median (min–max) in µs. Traces exported over OTLP/HTTP to a local sink where on, 100% sampled unless the variant says 10% (parentbased_traceidratio, 0.1).`,
)
out.push('')
out.push('| app | variant | CPU µs / request | over bare |')
out.push('| --- | --- | --- | --- |')
for (const [appName, app] of Object.entries(APPS)) {
  const results = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, variant] of Object.entries(VARIANTS)) results[name].push(await measure(app, variant))
  }
  const bare = results.bare ? median(results.bare) : Number.NaN
  for (const [name, values] of Object.entries(results)) {
    const m = median(values)
    const f = (n) => n.toFixed(1)
    out.push(
      `| ${appName} | ${name} | ${f(m)} (${f(Math.min(...values))}–${f(Math.max(...values))}) | ${name === 'bare' ? '' : `+${f(m - bare)} (${(m / bare).toFixed(2)}×)`} |`,
    )
  }
}
sink.server.close()
process.stdout.write(`${out.join('\n')}\n`)
