// Cost of health checks and resource metrics (issue 3). Two measurements on examples/shop-api,
// GET /products/:id (one pg query + one ioredis GET), under the otelkit preload:
//   1. Throughput, interleaved rounds of three variants, each scraped during the load:
//        off     resources and health off (OTELKIT_RESOURCE_INTERVAL=0, no OTELKIT_HEALTH_CHECKS);
//                /metrics and /readyz polled every 5 s
//        on      defaults: resources sampled at most every 30 s, checks db+cache every 30 s;
//                /metrics and /readyz polled every 5 s (2-3x Prometheus' and kubelet's usual rate)
//        stress  everything every second (OTELKIT_RESOURCE_INTERVAL=1s, OTELKIT_HEALTH_INTERVAL=1s,
//                /metrics and /readyz polled every second)
//      Target: on/off >= 0.98.
//   2. CPU of idle processes over 60 s (no traffic): shop-api without otelkit, instrumented with
//      nothing scraping it, and instrumented with a Prometheus-like scrape every 15 s and a
//      readiness probe every 10 s.
// Prints a Markdown section; exits 0 even when the target is missed (it says so).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { median, ROOT, runLoad, startServer, stopServer, summary } from './lib/harness.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 5)
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60)
const CONNECTIONS = 10
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const out = []
const print = (line = '') => out.push(line)
print('## Health checks and resource metrics: cost on a busy and on an idle service')
print()

const app = join(ROOT, 'examples/shop-api/dist/server.js')
// Looked up at each start: a concurrent build may rename the entry.
const registerPath = () =>
  ['register.mjs', 'register.js'].map((f) => join(ROOT, 'packages/node/dist', f)).find(existsSync)
const missing = [
  !existsSync(app) && 'examples/shop-api/dist/server.js',
  !registerPath() && 'packages/node/dist/register.mjs',
].filter(Boolean)
if (missing.length > 0) {
  print(`Not run: ${missing.join(' and ')} missing (run \`pnpm build\` first).`)
  process.stdout.write(`${out.join('\n')}\n`)
  process.exit(0)
}

const common = {
  HOST: '127.0.0.1',
  DATABASE_URL,
  REDIS_URL,
  REDIS_PREFIX: `bench-hr-${process.pid}:`,
  OTEL_SERVICE_NAME: 'bench-health-resources',
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'prometheus',
  OTEL_LOG_LEVEL: 'error',
}
const checks = `critical:db=${DATABASE_URL},cache=${REDIS_URL}`
const VARIANTS = {
  off: { env: { OTELKIT_RESOURCE_INTERVAL: '0', OTELKIT_HEALTH_INTERVAL: '0' }, pollMs: 5000 },
  on: { env: { OTELKIT_HEALTH_CHECKS: checks }, pollMs: 5000 },
  stress: {
    env: { OTELKIT_HEALTH_CHECKS: checks, OTELKIT_RESOURCE_INTERVAL: '1s', OTELKIT_HEALTH_INTERVAL: '1s' },
    pollMs: 1000,
  },
}

let nextPort = 21000 + Math.floor(Math.random() * 15000)
async function start(env, instrumented = true) {
  const port = nextPort++
  const opsPort = nextPort++
  const server = await startServer({
    args: instrumented ? ['--import', registerPath(), app] : [app],
    cwd: join(ROOT, 'examples/shop-api'),
    env: { ...common, ...env, PORT: String(port), OTELKIT_OPS_PORT: String(opsPort) },
  })
  return { ...server, ops: `http://127.0.0.1:${opsPort}` }
}

async function get(url) {
  try {
    const res = await fetch(url)
    return { status: res.status, text: await res.text() }
  } catch (error) {
    return { status: 0, text: String(error) }
  }
}

/** Polls /metrics and /readyz every `everyMs` until stopped; returns what the last poll saw. */
function poll(ops, metricsEveryMs, readyEveryMs) {
  const seen = { metrics: '', ready: { status: 0, text: '' } }
  const timers = [
    setInterval(async () => {
      seen.metrics = (await get(`${ops}/metrics`)).text
    }, metricsEveryMs),
    setInterval(async () => {
      seen.ready = await get(`${ops}/readyz`)
    }, readyEveryMs),
  ]
  return {
    seen,
    stop: () => {
      for (const t of timers) clearInterval(t)
    },
  }
}

async function throughput(name) {
  const server = await start(VARIANTS[name].env)
  const poller = poll(server.ops, VARIANTS[name].pollMs, VARIANTS[name].pollMs)
  try {
    const target = {
      url: `http://127.0.0.1:${server.port}`,
      connections: CONNECTIONS,
      idRange: [1, 5000],
      pathTemplate: '/products/:id',
    }
    await runLoad({ ...target, duration: 1 })
    const result = await runLoad({ ...target, duration: DURATION })
    if (result.errors > 0 || result.non2xx > 0)
      throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
    const metrics = (await get(`${server.ops}/metrics`)).text
    const ready = await get(`${server.ops}/readyz`)
    return {
      rps: result.rps,
      resources: /^system_filesystem_usage_bytes\{/m.test(metrics),
      health: ready.status === 200 && ready.text.includes('"db"'),
    }
  } finally {
    poller.stop()
    await stopServer(server)
  }
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const rps = { off: [], on: [], stress: [] }
const active = { on: { resources: false, health: false }, off: { resources: false, health: false } }
const warnings = []
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ['off', 'on', 'stress'] : ['stress', 'on', 'off']
  for (const name of order) {
    try {
      const r = await throughput(name)
      rps[name].push(r.rps)
      if (name !== 'stress') active[name] = r
    } catch (error) {
      warnings.push(`${name} round ${round + 1} failed: ${error.message.slice(0, 200)}`)
    }
  }
}

print(
  `shop-api \`GET /products/:id\`, ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} interleaved rounds;`,
)
print(
  '`/metrics` and `/readyz` polled every 5 s (`stress`: every second) during every run. Requests/s, median (min–max):',
)
print()
print('| variant | req/s | ratio to off |')
print('| --- | --- | --- |')
const base = median(rps.off)
for (const name of ['off', 'on', 'stress']) {
  if (rps[name].length === 0) continue
  print(`| ${name} | ${summary(rps[name])} | ${(median(rps[name]) / base).toFixed(3)} |`)
}
print()
const ratio = median(rps.on) / base
if (!active.on.resources || !active.on.health) {
  print(
    `Not measured as intended: in the \`on\` variant resources were ${active.on.resources ? 'on' : 'OFF'} and health ` +
      `was ${active.on.health ? 'on' : 'OFF'} (the preload must install resourcesFeature and healthFeature).`,
  )
}
if (active.off.resources) {
  print(
    'Not measured as intended: the `off` variant still had resource metrics (OTELKIT_RESOURCE_INTERVAL=0 was not accepted).',
  )
}
print(
  Number.isFinite(ratio) && ratio >= 0.98
    ? `Target on/off >= 0.98: met (${ratio.toFixed(3)}).`
    : `Target on/off >= 0.98: MISSED (${Number.isFinite(ratio) ? ratio.toFixed(3) : 'no data'}).`,
)
print()

// Idle CPU: three processes side by side, no traffic.
const idle = []
try {
  const bare = await start({}, false)
  const quiet = await start(VARIANTS.on.env)
  const scraped = await start(VARIANTS.on.env)
  const poller = poll(scraped.ops, 15_000, 10_000)
  await new Promise((r) => setTimeout(r, 2000))
  const procs = [
    ['shop-api, no otelkit', bare],
    ['otelkit, resources + health, nothing scraping', quiet],
    ['otelkit, resources + health, scraped every 15 s, /readyz every 10 s', scraped],
  ]
  const exits = procs.map(([label, s]) => {
    const seen = { label, code: undefined }
    s.child.once('exit', (code, signal) => {
      seen.code = code ?? signal
    })
    return seen
  })
  const before = procs.map(([, s]) => cpuSeconds(s.child.pid))
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000))
  poller.stop()
  for (const [i, [label, s]] of procs.entries()) {
    if (exits[i].code !== undefined) {
      warnings.push(
        `idle: "${label}" exited (${exits[i].code}): ${s.stderr().trim().split('\n').slice(-3).join(' / ')}`,
      )
      continue
    }
    idle.push([label, cpuSeconds(s.child.pid) - before[i]])
  }
  await Promise.all(procs.filter((_, i) => exits[i].code === undefined).map(([, s]) => stopServer(s)))
} catch (error) {
  warnings.push(`idle measurement failed: ${error.message.slice(0, 200)}`)
}
if (idle.length > 0) {
  print(`CPU time of idle processes over ${IDLE_SECONDS} s (utime + stime from /proc, 10 ms ticks):`)
  print()
  print('| process | CPU s | % of one core |')
  print('| --- | --- | --- |')
  for (const [label, seconds] of idle) {
    print(`| ${label} | ${seconds.toFixed(2)} | ${((seconds / IDLE_SECONDS) * 100).toFixed(2)} % |`)
  }
  print()
}
for (const w of warnings) print(`- ${w}`)
process.stdout.write(`${out.join('\n')}\n`)
