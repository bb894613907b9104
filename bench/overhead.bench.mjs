// Overhead of the preload (issue: preload SDK core). Side by side, interleaved rounds:
//   bare      node app
//   otelkit   node --import @otelkit/node/register app   (traces 100% exported over OTLP to a sink, Prometheus metrics on)
//   stock     node --import @opentelemetry/auto-instrumentations-node/register (+ its ESM loader), same exporters
// Apps: a hello-world node:http server, and examples/shop-api GET /products/:id (one pg query + one ioredis GET).
// Reports throughput ratios to bare (median and min–max), start-up time of `-e 0`, and RSS after load.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  median,
  NODE,
  ROOT,
  rssMb,
  runLoad,
  startServer,
  startSink,
  stopServer,
  summary,
} from './lib/harness.mjs'
import { OTELKIT_FLAGS, STOCK_FLAGS, STOCK_REGISTER, stockPrometheusPort } from './lib/preloads.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 8)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3)
const CONNECTIONS = 10

const sink = await startSink()
const commonEnv = {
  OTEL_SERVICE_NAME: 'bench',
  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_METRICS_EXPORTER: 'prometheus',
  OTEL_LOG_LEVEL: 'error',
}
const VARIANTS = {
  bare: { flags: [], env: {} },
  otelkit: { flags: OTELKIT_FLAGS, env: { ...commonEnv, OTELKIT_OPS_PORT: '0' } },
  stock: {
    flags: STOCK_FLAGS,
    env: { ...commonEnv, OTEL_EXPORTER_PROMETHEUS_PORT: stockPrometheusPort() },
  },
}

const APPS = {
  hello: { script: join(ROOT, 'bench/apps/hello.mjs'), cwd: ROOT, path: '/', env: {} },
  'shop-api product-by-id': {
    script: join(ROOT, 'examples/shop-api/dist/server.js'),
    cwd: join(ROOT, 'examples/shop-api'),
    pathTemplate: '/products/:id',
    idRange: [1, 5000],
    env: { HOST: '127.0.0.1', REDIS_PREFIX: 'bench:' },
  },
}

async function measure(appName, variantName) {
  const app = APPS[appName]
  const variant = VARIANTS[variantName]
  const port = 20000 + Math.floor(Math.random() * 20000)
  const server = await startServer({
    args: [...variant.flags, app.script],
    cwd: app.cwd,
    env: { ...variant.env, ...app.env, PORT: String(port) },
  })
  try {
    const target = { url: `http://127.0.0.1:${server.port}`, connections: CONNECTIONS }
    if (app.idRange) Object.assign(target, { idRange: app.idRange, pathTemplate: app.pathTemplate })
    else target.url += app.path
    await runLoad({ ...target, duration: WARMUP })
    const result = await runLoad({ ...target, duration: DURATION })
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${appName}/${variantName}: ${result.non2xx} non-2xx, ${result.errors} errors`)
    }
    return { rps: result.rps, rss: rssMb(server.child.pid) }
  } finally {
    await stopServer(server)
  }
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
  `Command: \`pnpm bench\` (or \`node bench/overhead.bench.mjs\` after \`pnpm build\`). ${ROUNDS} interleaved rounds, ${DURATION} s each after a ${WARMUP} s warm-up (JIT settled), ${CONNECTIONS} connections, load generator in its own process; traces 100% sampled and exported over OTLP/HTTP protobuf to a local sink, Prometheus metrics on. Median (min–max).`,
)
out()
out('| app | variant | req/s | ratio to bare | RSS after load (MB) |')
out('| --- | --- | --- | --- | --- |')
const verdicts = []
for (const appName of Object.keys(APPS)) {
  const results = { bare: [], otelkit: [], stock: [] }
  const rss = { bare: [], otelkit: [], stock: [] }
  const order = Object.keys(VARIANTS)
  for (let round = 0; round < ROUNDS; round++) {
    const rotated = order.slice(round % order.length).concat(order.slice(0, round % order.length))
    for (const variantName of rotated) {
      const r = await measure(appName, variantName)
      results[variantName].push(r.rps)
      rss[variantName].push(r.rss)
    }
  }
  const bare = median(results.bare)
  for (const variantName of order) {
    const ratios = results[variantName].map((v, i) => v / results.bare[i])
    out(
      `| ${appName} | ${variantName} | ${summary(results[variantName])} | ${variantName === 'bare' ? '1' : summary(ratios, 2)} | ${summary(rss[variantName], 1)} |`,
    )
  }
  const ratio = median(results.otelkit) / bare
  const target = appName === 'hello' ? 0.45 : 0.8
  verdicts.push(
    `${appName}: otelkit ${ratio.toFixed(2)}× bare (target ≥ ${target}×) — ${ratio >= target ? 'met' : 'MISSED'}`,
  )
  const rssDelta = median(rss.otelkit) - median(rss.bare)
  verdicts.push(
    `${appName}: RSS after load bare + ${rssDelta.toFixed(1)} MB (target ≤ + 30 MB) — ${rssDelta <= 30 ? 'met' : 'MISSED'}`,
  )
}

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
    `| ${v} | ${summary(starts[v])} | ${v === 'bare' ? '' : `+${(median(starts[v]) - median(starts.bare)).toFixed(0)}`} |`,
  )
}
const startDelta = median(starts.otelkit) - median(starts.bare)
verdicts.push(
  `start-up: bare + ${startDelta.toFixed(0)} ms (target ≤ + 60 ms) — ${startDelta <= 60 ? 'met' : 'MISSED'}`,
)
out()
out('Targets:')
out()
for (const v of verdicts) out(`- ${v}`)
out()
out(`OTLP sink received ${sink.stats.requests} export requests (${(sink.stats.bytes / 1e6).toFixed(1)} MB).`)
sink.server.close()
process.stdout.write(`${lines.join('\n')}\n`)
