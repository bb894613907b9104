// Request-path profile (not part of `pnpm bench`): runs an app of the overhead benchmark with
// --cpu-prof under load (autocannon, 10 connections, every span exported to a local sink,
// /metrics scraped every 5 s) and prints the server's CPU per request from /proc and where the
// profiled time went during the measured load, per request: by package and by function.
//   node bench/profile-request.mjs [express|hello|shop-api] [bare|otelkit|otelkit-10|<register path>] [seconds]
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cpuMicros } from './lib/cpu.mjs'
import { freePort, runLoad, startScraper, startServer, startSink } from './lib/harness.mjs'
import { requestApp, variantEnv, variantFlags } from './lib/request-apps.mjs'

const [appName = 'express', variant = 'otelkit', seconds = '8'] = process.argv.slice(2)
const app = requestApp(appName)
const flags = variantFlags(variant)
const sink = await startSink()
const metricsPort = await freePort()
const env = variantEnv(app, variant, sink.url, metricsPort, await freePort())
const profDir = mkdtempSync(join(tmpdir(), 'otelkit-reqprof-'))
const server = await startServer({
  args: [...flags, '--cpu-prof', `--cpu-prof-dir=${profDir}`, app.script],
  cwd: app.cwd,
  env,
})
const scraper = variant === 'bare' ? undefined : startScraper(`http://127.0.0.1:${metricsPort}/metrics`)
const target = { url: `http://127.0.0.1:${server.port}${app.path}`, connections: 10 }
// Steady state, as the overhead benchmark measures it (BENCH_WARMUP seconds of load first).
await runLoad({ ...target, duration: Number(process.env.BENCH_WARMUP ?? 10) })
const cpuBefore = cpuMicros(server.child.pid)
// V8's profile timestamps and process.hrtime both read the monotonic clock (µs here).
const loadStart = Number(process.hrtime.bigint() / 1000n)
const result = await runLoad({ ...target, duration: Number(seconds) })
const loadEnd = Number(process.hrtime.bigint() / 1000n)
const cpuPerRequest = (cpuMicros(server.child.pid) - cpuBefore) / result.total
scraper?.stop()
await new Promise((resolve) => {
  server.child.removeAllListeners('exit')
  server.child.once('exit', resolve)
  server.child.kill('SIGTERM')
})
sink.server.close()

// The main thread's profile is the largest file; only samples of the measured load count.
const file = readdirSync(profDir)
  .map((f) => join(profDir, f))
  .sort((a, b) => statSync(b).size - statSync(a).size)[0]
const profile = JSON.parse(readFileSync(file, 'utf8'))
const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
const byFunction = new Map()
const byPackage = new Map()
let busy = 0
let t = profile.startTime
function packageOf(url) {
  if (!url) return '(native, GC, VM)'
  if (url.includes('packages/node/dist')) return 'otelkit (with the bundled SDK)'
  const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return m[1]
  if (url.startsWith('node:')) return 'node internals'
  return url.split('/').slice(-2).join('/')
}
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i]
  if (t < loadStart || t > loadEnd) continue
  const frame = nodes.get(profile.samples[i]).callFrame
  if (frame.functionName === '(idle)') continue
  const dt = profile.timeDeltas[i + 1] ?? 0
  busy += dt
  const fn = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-1)[0]}:${frame.lineNumber + 1}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt)
  const pkg = packageOf(frame.url)
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt)
}
const perRequest = (us) => (us / result.total).toFixed(1).padStart(7)
const lines = [
  `${appName}, ${variant}: ${result.total} requests in ${seconds} s (${result.rps.toFixed(0)}/s), p99 ${result.p99} ms, server CPU ${cpuPerRequest.toFixed(1)} µs/request (/proc); profiled busy time ${perRequest(busy).trim()} µs/request (the profiler adds its own)`,
  '',
  'µs/request  share  package',
]
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  lines.push(`${perRequest(v)}  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`)
}
lines.push('', 'µs/request  share  function (self time)')
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  lines.push(`${perRequest(v)}  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`)
}
process.stdout.write(`${lines.join('\n')}\nprofile: ${file}\n`)
