// Where a request's CPU goes, without a profiler in the way (not part of `pnpm bench`): runs an app
// of the overhead benchmark under load (autocannon, 10 connections, every span exported to a local
// sink, /metrics scraped every 5 s) with `--trace-gc-nvp` and reports, per request, the server's
// user and system CPU and each thread's CPU from /proc (the main thread apart from V8's helper
// threads, which run concurrent marking and parallel scavenges), and the garbage collector's work:
// scavenges, mark-compacts, bytes promoted to the old generation, bytes that survived a scavenge
// (copied or promoted: V8 grows the young generation each time their running total since the last
// growth passes its size) and main-thread pause; and the kernel's share: minor page faults and the
// main thread's context switches per request.
// A sampling profile (profile-request.mjs) counts wall time, so a thread that is descheduled inside
// a syscall shows as time in that syscall; these figures are CPU time only. With BENCH_PERF=1 the
// measured load is also recorded by `perf record` (on-CPU samples, JavaScript named through
// --perf-basic-prof) and the CPU per request is split by binary (node's C++ and builtins, JIT-compiled
// JavaScript, kernel, libc) and by symbol (the first BENCH_PERF_TOP, 30 by default). With
// BENCH_STRACE=1 the measured load also runs under `strace -c -f` and the system calls per request are
// listed by name (strace slows the server: read the counts, not that run's CPU figures).
//   node bench/request-cost.mjs [express|hello|shop-api] [bare|otelkit|otelkit-10|<register path>] [seconds]
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runLoad, startScraper, startServer, startSink } from './lib/harness.mjs'
import { requestApp, variantEnv, variantFlags } from './lib/request-apps.mjs'

const [appName = 'express', variant = 'otelkit', seconds = '8'] = process.argv.slice(2)
const app = requestApp(appName)
const flags = variantFlags(variant)
const TICK_US = 1e6 / 100 // USER_HZ
const PERF = process.env.BENCH_PERF === '1'
const STRACE = process.env.BENCH_STRACE === '1'

const sink = await startSink()
const metricsPort = await freePort()
const server = await startServer({
  args: [...flags, '--trace-gc-nvp', ...(PERF ? ['--perf-basic-prof'] : []), app.script],
  cwd: app.cwd,
  env: variantEnv(app, variant, sink.url, metricsPort, await freePort()),
})
let gcTrace = ''
server.child.stdout.on('data', (d) => {
  gcTrace += d
})
// BENCH_SCRAPE_MS: the scrape interval (5,000 by default; 0: no scrapes).
const SCRAPE_MS = Number(process.env.BENCH_SCRAPE_MS ?? 5000)
const scraper =
  variant === 'bare' || SCRAPE_MS === 0
    ? undefined
    : startScraper(`http://127.0.0.1:${metricsPort}/metrics`, SCRAPE_MS)
const target = { url: `http://127.0.0.1:${server.port}${app.path}`, connections: 10 }
const pid = server.child.pid

/**
 * user and system CPU (µs) of the process, CPU per thread name (µs), the process's minor page
 * faults and the main thread's voluntary and involuntary context switches.
 */
function cpu() {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const switches = (kind) =>
    Number(new RegExp(`^${kind}_ctxt_switches:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0)
  const threads = new Map()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const name = /\((.*)\)/.exec(raw)[1].replace(/\d+$/, '')
      const f = raw.split(') ')[1].split(' ')
      threads.set(`${tid} ${name}`, (Number(f[11]) + Number(f[12])) * TICK_US)
    } catch {
      // a thread that ended meanwhile
    }
  }
  return {
    user: Number(fields[11]) * TICK_US,
    system: Number(fields[12]) * TICK_US,
    threads,
    minorFaults: Number(fields[7]),
    voluntary: switches('voluntary'),
    involuntary: switches('nonvoluntary'),
  }
}

// Steady state, as the overhead benchmark measures it.
await runLoad({ ...target, duration: Number(process.env.BENCH_WARMUP ?? 10) })
gcTrace = ''
const perfFile = PERF ? join(mkdtempSync(join(tmpdir(), 'otelkit-perf-')), 'perf.data') : undefined
const recorder =
  perfFile === undefined
    ? undefined
    : spawn('perf', ['record', '-F', '997', '-p', String(pid), '-o', perfFile], { stdio: 'ignore' })
const straceFile = STRACE ? join(mkdtempSync(join(tmpdir(), 'otelkit-strace-')), 'strace.txt') : undefined
const straceProcess =
  straceFile === undefined
    ? undefined
    : spawn('strace', ['-c', '-f', '-o', straceFile, '-p', String(pid)], { stdio: 'ignore' })
if (straceProcess !== undefined) await new Promise((resolve) => setTimeout(resolve, 500))
const before = cpu()
const result = await runLoad({ ...target, duration: Number(seconds) })
const after = cpu()
const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
if (recorder !== undefined) {
  recorder.kill('SIGINT')
  await new Promise((resolve) => recorder.once('exit', resolve))
}
if (straceProcess !== undefined) {
  straceProcess.kill('SIGINT')
  await new Promise((resolve) => straceProcess.once('exit', resolve))
}
const trace = gcTrace
scraper?.stop()
server.child.kill('SIGKILL')
sink.server.close()

const n = result.total
const per = (us) => (us / n).toFixed(1)
const byThread = new Map()
for (const [key, us] of after.threads) {
  const name = key.split(' ').slice(1).join(' ')
  byThread.set(name, (byThread.get(name) ?? 0) + us - (before.threads.get(key) ?? 0))
}
const events = trace.split('\n').filter((l) => l.includes(' gc='))
const value = (line, key) => Number(new RegExp(`\\b${key}=([\\d.]+)`).exec(line)?.[1] ?? 0)
const scavenges = events.filter((l) => / gc=s /.test(l))
const promoted = scavenges.reduce((sum, l) => sum + value(l, 'promoted'), 0)
const copied = scavenges.reduce((sum, l) => sum + value(l, 'new_space_survived'), 0)
const pauseMs = events.reduce((sum, l) => sum + value(l, 'pause'), 0)
const youngBytes = Math.max(...scavenges.map((l) => value(l, 'new_space_capacity')), 0)
const lines = [
  `${appName}, ${variant}: ${n} requests in ${seconds} s (${result.rps.toFixed(0)}/s), p99 ${result.p99} ms`,
  `CPU µs/request: user ${per(after.user - before.user)}, system ${per(after.system - before.system)}; by thread: ${[
    ...byThread,
  ]
    .filter(([, us]) => us > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => `${name} ${per(us)}`)
    .join(', ')}`,
  `GC: ${scavenges.length} scavenges, ${events.length - scavenges.length} other; promoted ${(promoted / n).toFixed(0)} B/request; survived ${((promoted + copied) / n).toFixed(0)} B/request; main-thread pause ${((pauseMs * 1000) / n).toFixed(1)} µs/request; young generation ${(youngBytes / 2 ** 20).toFixed(0)} MiB`,
  `RSS at the end of the load: ${rssMb.toFixed(0)} MB`,
  `Kernel: ${((after.minorFaults - before.minorFaults) / n).toFixed(3)} minor page faults/request; main thread context switches/request: voluntary ${((after.voluntary - before.voluntary) / n).toFixed(3)}, involuntary ${((after.involuntary - before.involuntary) / n).toFixed(3)}`,
]
if (perfFile !== undefined) {
  // Each on-CPU sample stands for the CPU time the report's event count spreads over them.
  const report = (sort) =>
    execFileSync('perf', ['report', '-i', perfFile, '--no-children', '--sort', sort, '--stdio'], {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
  const byDso = report('comm,dso')
  const total = Number(/Event count \(approx\.\): (\d+)/.exec(byDso)?.[1] ?? 0) / 1000 // ns → µs
  const rows = (text, limit) =>
    text
      .split('\n')
      .filter((l) => /^\s+[\d.]+%/.test(l))
      .slice(0, limit)
      .map((l) => {
        const [, share, rest] = /^\s+([\d.]+)%\s+(.*)$/.exec(l)
        return `${((Number(share) / 100) * (total / n)).toFixed(1).padStart(7)}  ${rest.trim().slice(0, 110)}`
      })
  lines.push('', 'perf, µs/request by thread and binary:', ...rows(byDso, 8))
  lines.push(
    '',
    'perf, µs/request by symbol (self):',
    ...rows(report('sym'), Number(process.env.BENCH_PERF_TOP ?? 30)),
  )
}
if (straceFile !== undefined) {
  // strace -c's table: % time, seconds, usecs/call, calls, errors, syscall.
  const calls = readFileSync(straceFile, 'utf8')
    .split('\n')
    .map((l) => /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(l))
    .filter((m) => m !== null && m[2] !== 'total')
    .map((m) => [m[2], Number(m[1]) / n])
    .sort((a, b) => b[1] - a[1])
  lines.push(
    '',
    'system calls per request:',
    ...calls.map(([name, per]) => `${per.toFixed(3).padStart(9)}  ${name}`),
  )
}
process.stdout.write(`${lines.join('\n')}\n`)
process.exit(0)
