// Cold start (issue: a service under the preload answers its first request within 60 ms of plain
// Node). Spawns each app bare, under otelkit's preload and under the stock preload, interleaved,
// and measures the time from spawn to the first 200 (polling the port every 2 ms), then the p99
// of the first 100 requests (sequential, the first included). Apps, each against the real
// PostgreSQL / MariaDB / Redis of scripts/ensure-services.sh:
//   cjs       bench/apps/cold-cjs.cjs   Express 5 + pg + ioredis (CommonJS)
//   esm       bench/apps/cold-esm.mjs   Express 5 + pg + mysql2 + ioredis + node-redis (ES modules)
//   shop-api  examples/shop-api         Express 5 + pg + ioredis + @otelkit/cache (ES modules only)
// The two bench apps run from a temporary folder whose node_modules links their libraries, as an
// application's folder would. COLD_ROUNDS (default 11) sets the rounds; COLD_ALT=<register.js>
// adds a variant "alt" (another build of the preload, for before/after comparisons in one run);
// COLD_OTELKIT=<register.js> replaces the otelkit variant's build; COLD_VARIANTS=bare,alt,... picks variants;
// COLD_TRACE=1 prints each run's slow requests (over 3× its median) to stderr.
import { spawn, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { median, NODE, ROOT, startSink, summary } from './lib/harness.mjs'
import { OTELKIT_FLAGS, STOCK_FLAGS, stockPrometheusPort } from './lib/preloads.mjs'

const ROUNDS = Number(process.env.COLD_ROUNDS ?? 11)
const REQUESTS = 100
const POLL_MS = 2
const LIBRARIES = ['express', 'pg', 'ioredis', 'mysql2', 'redis']

function fixtureFolder() {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-cold-'))
  const source = join(ROOT, 'packages', 'node', 'node_modules')
  for (const name of LIBRARIES) {
    const target = join(dir, 'node_modules', name)
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(realpathSync(join(source, name)), target, 'dir')
  }
  for (const file of ['cold-cjs.cjs', 'cold-esm.mjs'])
    copyFileSync(join(ROOT, 'bench/apps', file), join(dir, file))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cold', private: true }))
  return dir
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

function get(port, path) {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }))
    })
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }))
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function coldRun(app, variant, dir) {
  const port = await freePort()
  const env = { ...process.env, ...app.env, ...variant.env(), PORT: String(port) }
  let exited = false
  let stderr = ''
  const t0 = performance.now()
  const child = spawn(NODE, [...variant.flags, app.script], {
    cwd: app.cwd ?? dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  child.on('exit', () => {
    exited = true
  })
  try {
    let first
    for (;;) {
      if (exited) throw new Error(`${app.name}: exited before answering: ${stderr}`)
      if (performance.now() - t0 > 20_000) throw new Error(`${app.name}: no answer in 20 s: ${stderr}`)
      const r = await get(port, app.path(0))
      if (r.status === 200) {
        first = r
        break
      }
      if (r.status !== 0) throw new Error(`${app.name}: first answer was ${r.status}: ${stderr}`)
      await sleep(POLL_MS)
    }
    const ready = performance.now() - t0
    const latencies = [first.ms]
    for (let i = 1; i < REQUESTS; i++) {
      const r = await get(port, app.path(i))
      if (r.status !== 200) throw new Error(`${app.name}: request ${i} answered ${r.status}`)
      latencies.push(r.ms)
    }
    if (process.env.COLD_TRACE) {
      const slow = latencies.map((ms, i) => [i, ms]).filter(([, ms]) => ms > 3 * median(latencies))
      process.stderr.write(
        `${app.name} ${variant.name}: ready ${ready.toFixed(0)} ms, all ${(performance.now() - t0).toFixed(0)} ms; slow: ${slow.map(([i, ms]) => `#${i} ${ms.toFixed(1)}`).join(', ')}\n`,
      )
    }
    latencies.sort((a, b) => a - b)
    return { ready, p99: latencies[Math.ceil(REQUESTS * 0.99) - 1] }
  } finally {
    child.kill('SIGKILL')
    if (!exited) await new Promise((r) => child.once('exit', r))
  }
}

const sink = await startSink()
const common = {
  OTEL_SERVICE_NAME: 'cold',
  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_METRICS_EXPORTER: 'prometheus',
  OTEL_LOG_LEVEL: 'error',
}
const VARIANTS = {
  bare: { flags: [], env: () => ({}) },
  otelkit: {
    flags: process.env.COLD_OTELKIT ? ['--import', process.env.COLD_OTELKIT] : OTELKIT_FLAGS,
    env: () => ({ ...common, OTELKIT_OPS_PORT: '0' }),
  },
  stock: {
    flags: STOCK_FLAGS,
    env: () => ({ ...common, OTEL_EXPORTER_PROMETHEUS_PORT: stockPrometheusPort() }),
  },
}
if (process.env.COLD_ALT) {
  VARIANTS.alt = { flags: ['--import', process.env.COLD_ALT], env: VARIANTS.otelkit.env }
}
for (const [name, variant] of Object.entries(VARIANTS)) variant.name = name
for (const name of Object.keys(VARIANTS)) {
  if (
    process.env.COLD_VARIANTS &&
    !['bare', 'otelkit', ...process.env.COLD_VARIANTS.split(',')].includes(name)
  ) {
    delete VARIANTS[name]
  }
}
const shopDir = join(ROOT, 'examples/shop-api')
const APPS = [
  { name: 'cjs', label: 'CJS: Express 5 + pg + ioredis', script: 'cold-cjs.cjs', path: (i) => `/items/${i}` },
  {
    name: 'esm',
    label: 'ESM: Express 5 + pg + mysql2 + ioredis + node-redis',
    script: 'cold-esm.mjs',
    path: (i) => `/items/${i}`,
  },
  {
    name: 'shop-api',
    label: 'shop-api (ESM; it has no CJS form)',
    script: join(shopDir, 'dist/server.js'),
    cwd: shopDir,
    env: { HOST: '127.0.0.1', REDIS_PREFIX: 'bench:' },
    path: (i) => `/products/${1 + (i % 50)}`,
  },
].filter((a) => !process.env.COLD_APPS || process.env.COLD_APPS.split(',').includes(a.name))

// shop-api's schema and seed (a no-op when already there).
const migrated = spawnSync(NODE, [join(shopDir, 'dist/migrate.js')], { cwd: shopDir, encoding: 'utf8' })
if (migrated.status !== 0) throw new Error(`shop-api migrate failed: ${migrated.stderr}`)

const dir = fixtureFolder()
const names = Object.keys(VARIANTS)
const results = Object.fromEntries(APPS.map((a) => [a.name, Object.fromEntries(names.map((v) => [v, []]))]))
const lines = []
const out = (s = '') => lines.push(s)
try {
  for (const app of APPS) await coldRun(app, VARIANTS.bare, dir) // warm the disk cache and the services
  for (let i = 0; i < ROUNDS; i++) {
    for (const app of APPS) {
      const order = names.slice(i % names.length).concat(names.slice(0, i % names.length))
      for (const v of order) results[app.name][v].push(await coldRun(app, VARIANTS[v], dir))
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
  sink.server.close()
}

out('## Cold start: time to the first answered request (`bench/cold-start.bench.mjs`)')
out()
out(
  `Command: \`pnpm bench cold-start\` (or \`node bench/cold-start.bench.mjs\` after \`pnpm build\`). Each app is spawned ${ROUNDS} times per variant in interleaved rounds; "first 200" is the time from spawn to the first 200 answer, polling every ${POLL_MS} ms; p99 is over the first ${REQUESTS} requests (sequential, the first included). Traces 100% exported over OTLP/HTTP to a local sink, Prometheus metrics on; every default instrumentation enabled. Median (min–max), ms.`,
)
out()
out('| app | variant | first 200 | over bare | first-100 p99 | p99 / bare |')
out('| --- | --- | --- | --- | --- | --- |')
const verdicts = []
for (const app of APPS) {
  const r = results[app.name]
  const bareReady = median(r.bare.map((x) => x.ready))
  const bareP99 = median(r.bare.map((x) => x.p99))
  for (const v of names) {
    const ready = r[v].map((x) => x.ready)
    const p99 = r[v].map((x) => x.p99)
    const over = v === 'bare' ? '' : `+${(median(ready) - bareReady).toFixed(0)}`
    const ratio = v === 'bare' ? '' : `${(median(p99) / bareP99).toFixed(2)}×`
    out(`| ${app.label} | ${v} | ${summary(ready)} | ${over} | ${summary(p99, 1)} | ${ratio} |`)
  }
  const delta = median(r.otelkit.map((x) => x.ready)) - bareReady
  const p99Ratio = median(r.otelkit.map((x) => x.p99)) / bareP99
  verdicts.push(
    `- ${app.name}: first 200 at bare + ${delta.toFixed(0)} ms (target ≤ + 60 ms) — ${delta <= 60 ? 'met' : 'MISSED'}; first-100 p99 ${p99Ratio.toFixed(2)}× bare (target ≤ 1.5×) — ${p99Ratio <= 1.5 ? 'met' : 'MISSED'}`,
  )
}
out()
out('Targets:')
out()
for (const v of verdicts) out(v)
out()
process.stdout.write(`${lines.join('\n')}\n`)
