// /metrics as a weapon (issue 11): a node:http service under the otelkit preload with
// http.server.request.duration at its 2,000-series cap, its own requests at a fixed rate, first
// with nothing else (quiet), then with 100 connections that each send `GET /metrics` and never
// read (hostile). Reports the service's p50/p99 and peak RSS in both phases, and the size and
// render time of /metrics at the cap. Target: hostile p99 within 2x of quiet, RSS growth <= 100 MB.
//   BENCH_ROUNDS (3), BENCH_DURATION (8 s per phase), BENCH_RATE (1000 req/s), BENCH_SCRAPERS (100)
//   BENCH_OTELKIT_REGISTER: another built register.js to measure (e.g. an older build)
// Prints a Markdown section; exits 0 even when the target is missed (it says so).
import { connect } from 'node:net'
import { join } from 'node:path'
import { median, ROOT, rssMb, runLoad, startServer, stopServer, summary } from './lib/harness.mjs'
import { OTELKIT_REGISTER } from './lib/preloads.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const DURATION = Number(process.env.BENCH_DURATION ?? 8)
const RATE = Number(process.env.BENCH_RATE ?? 1000)
const SCRAPERS = Number(process.env.BENCH_SCRAPERS ?? 100)
const REGISTER = process.env.BENCH_OTELKIT_REGISTER ?? OTELKIT_REGISTER
const CONNECTIONS = 10

const out = []
const print = (line = '') => out.push(line)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
let nextPort = 23000 + Math.floor(Math.random() * 15000)

async function start(env = {}) {
  const opsPort = nextPort++
  const server = await startServer({
    args: ['--import', REGISTER, join(ROOT, 'bench/apps/series.mjs')],
    env: {
      OTEL_SERVICE_NAME: 'bench-hostile',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_LOG_LEVEL: 'error',
      OTELKIT_RESOURCE_INTERVAL: '0',
      OTELKIT_OPS_HOST: '127.0.0.1',
      OTELKIT_OPS_PORT: String(opsPort),
      ...env,
    },
  })
  return { ...server, ops: `http://127.0.0.1:${opsPort}`, opsPort }
}

/** 100 route templates x 20 statuses: the 2,000-series cap of http.server.request.duration. */
async function fillSeries(server) {
  let next = 0
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < 2000) {
        const i = next++
        const res = await fetch(
          `http://127.0.0.1:${server.port}/series/${i % 100}/${200 + Math.floor(i / 100)}`,
        )
        await res.arrayBuffer()
      }
    }),
  )
}

function silentScrapers(port, count) {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve) => {
          const socket = connect({ host: '127.0.0.1', port }, () => {
            socket.pause()
            socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
            resolve(socket)
          })
          socket.on('error', () => resolve(socket))
        }),
    ),
  )
}

/** Runs the fixed-rate load while sampling the service's RSS; returns latency and the RSS peak. */
async function phase(server) {
  let peak = rssMb(server.child.pid)
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(server.child.pid))
  }, 50)
  try {
    const result = await runLoad({
      url: `http://127.0.0.1:${server.port}/ok`,
      connections: CONNECTIONS,
      overallRate: RATE,
      duration: DURATION,
      timeout: 10,
    })
    return { ...result, peak }
  } finally {
    clearInterval(sampler)
  }
}

// 1. Size and render time of /metrics at the cap, one render per scrape (OTELKIT_METRICS_CACHE=0).
const renders = { bytes: [], ms: [], renderMs: Number.NaN }
{
  const server = await start({ OTELKIT_METRICS_CACHE: '0' })
  try {
    await fillSeries(server)
    for (let i = 0; i < 10; i++) {
      const t = performance.now()
      const text = await (await fetch(`${server.ops}/metrics`)).text()
      renders.ms.push(performance.now() - t)
      renders.bytes.push(Buffer.byteLength(text))
    }
    // otelkit's own account of those 10 renders (collect + render, without the transfer).
    const text = await (await fetch(`${server.ops}/metrics`)).text()
    const value = (suffix) =>
      Number(
        new RegExp(`^otelkit_metrics_render_duration_seconds_${suffix}\\{[^}]*\\} (\\S+)$`, 'm').exec(
          text,
        )?.[1],
      )
    renders.renderMs = (value('sum') / value('count')) * 1000
  } finally {
    await stopServer(server)
  }
}

// 2. Quiet vs hostile, a fresh service per round.
const rows = { quiet: [], hostile: [] }
const warnings = []
for (let round = 0; round < ROUNDS; round++) {
  let server
  try {
    server = await start()
    await fillSeries(server)
    await (await fetch(`${server.ops}/metrics`)).text()
    await runLoad({ url: `http://127.0.0.1:${server.port}/ok`, connections: CONNECTIONS, duration: 2 })
    await sleep(1100)
    const base = rssMb(server.child.pid)
    const quiet = await phase(server)
    rows.quiet.push({ ...quiet, base })
    await sleep(1100)
    const before = rssMb(server.child.pid)
    const sockets = await silentScrapers(server.opsPort, SCRAPERS)
    const hostile = await phase(server)
    rows.hostile.push({ ...hostile, base: before })
    for (const s of sockets) s.destroy()
    if (hostile.errors > 0 || hostile.non2xx > 0)
      warnings.push(
        `round ${round + 1}: ${hostile.errors} errors or timeouts, ${hostile.non2xx} non-2xx under the scrapers`,
      )
  } catch (error) {
    warnings.push(`round ${round + 1} failed: ${String(error.message).slice(0, 200)}`)
  } finally {
    if (server) await stopServer(server)
  }
}

print('## /metrics under 100 scrapers that never read')
print()
print(
  `node:http service under the preload, \`http.server.request.duration\` at its 2,000-series cap; its own \`GET /ok\` at a fixed ${RATE} req/s over ${CONNECTIONS} connections, ${DURATION} s per phase, ${ROUNDS} rounds (a fresh service each). Hostile phase: ${SCRAPERS} connections each send \`GET /metrics\` and never read. Median (min–max).`,
)
print()
print(
  `/metrics at the cap: ${summary(
    renders.bytes.map((b) => b / 1e6),
    1,
  )} MB, scrape (render + transfer) ${summary(renders.ms)} ms on an idle service (\`OTELKIT_METRICS_CACHE=0\`, 10 scrapes); of which collect + render ${renders.renderMs.toFixed(0)} ms on average (\`otelkit_metrics_render_duration_seconds\`).`,
)
print()
print(
  '| phase | p50 (ms) | p99 (ms) | req/s | errors + timeouts | RSS before (MB) | RSS peak (MB) | growth (MB) |',
)
print('| --- | --- | --- | --- | --- | --- | --- | --- |')
for (const name of ['quiet', 'hostile']) {
  const r = rows[name]
  if (r.length === 0) continue
  print(
    `| ${name} | ${summary(r.map((x) => x.p50))} | ${summary(r.map((x) => x.p99))} | ${summary(r.map((x) => x.rps))} | ${summary(r.map((x) => x.errors + x.non2xx))} | ${summary(r.map((x) => x.base))} | ${summary(r.map((x) => x.peak))} | ${summary(r.map((x) => x.peak - x.base))} |`,
  )
}
print()
if (rows.quiet.length > 0 && rows.hostile.length > 0) {
  const ratio = median(rows.hostile.map((x) => x.p99)) / median(rows.quiet.map((x) => x.p99))
  const growth = median(rows.hostile.map((x) => x.peak - x.base))
  const answered = rows.hostile.every((x) => x.total > 0 && x.errors === 0 && x.non2xx === 0)
  print(
    `Target hostile p99 <= 2x quiet: ${answered && ratio <= 2 ? 'met' : 'MISSED'} (${answered ? `${ratio.toFixed(2)}x` : 'requests failed or timed out'}). ` +
      `Target RSS growth <= 100 MB: ${growth <= 100 ? 'met' : 'MISSED'} (${growth.toFixed(0)} MB).`,
  )
}
for (const w of warnings) print(`- ${w}`)
process.stdout.write(`${out.join('\n')}\n`)
