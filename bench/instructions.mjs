// Instructions per request, counted by Valgrind's callgrind instead of timed (not part of `pnpm bench`;
// needs `valgrind` on the PATH). On a shared 2-core machine CPU time per request moves by ±30 %
// between runs; the count of instructions the server's main thread executes per request moves by a
// few per cent, so a change of a few thousand instructions (about a microsecond) shows. The server
// runs under callgrind with instrumentation off while one keep-alive client sends the warm-up
// requests, then on for the measured ones; V8's helper threads (concurrent marking, parallel
// scavenges, background compilation) are reported apart, since their share moves more. With
// BENCH_BY_FUNCTION=1 the main thread's instructions are also listed by function (JavaScript named
// through --perf-basic-prof; BENCH_TOP functions, 60 by default), the input for comparing two builds
// function by function. BENCH_CALLERS=<regular expression> also lists who calls the functions it
// matches (e.g. `LoadIC_Megamorphic`), by the calls' inclusive instructions; BENCH_CALLER_DEPTH=<n>
// names each function with its n callers (callgrind's --separate-callers), to follow a builtin
// back to the JavaScript that reached it.
// The default warm-up is 30,000 requests: V8 optimises the request path's functions with Turbofan
// only after 10,000–30,000 requests (Maglev code before that), and the compiler jobs of that
// tier-up run on helper threads, so after 3,000 warm-up requests the count was mostly compilation
// (Express, otelkit 10 %: main thread 378k and helpers 185k per request; after 30,000: 314k and 6.5k).
// With BENCH_CACHE_SIM=1 callgrind also simulates the caches (`--cache-sim=yes`, about twice as
// slow) and the main thread's misses per request are reported: L1 instruction and data misses and
// last-level misses, where the time goes that instruction counts do not show; with BENCH_BY_FUNCTION=1
// as well, each function's own L1 instruction and data read misses are listed.
// Valgrind names its control files after $HOST, which shop-api's environment sets, so
// callgrind_control runs with the server's HOST (without it, vgdb looks for the wrong file).
//   node bench/instructions.mjs [express|hello|shop-api] [bare|otelkit|otelkit-10|<register path>] [warm-up] [measured]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, getOk, NODE, startServer, startSink, stopServer } from './lib/harness.mjs'
import { requestApp, variantEnv, variantFlags } from './lib/request-apps.mjs'

const [appName = 'express', variant = 'otelkit', warmArg = '30000', measuredArg = '2000'] =
  process.argv.slice(2)
const WARMUP = Number(warmArg)
const MEASURED = Number(measuredArg)
const BY_FUNCTION = process.env.BENCH_BY_FUNCTION === '1'
const CACHE_SIM = process.env.BENCH_CACHE_SIM === '1'
const app = requestApp(appName)

const dir = mkdtempSync(join(tmpdir(), 'otelkit-callgrind-'))
const sink = await startSink()
const serverEnv = variantEnv(app, variant, sink.url, await freePort(), await freePort())
const server = await startServer({
  command: 'valgrind',
  args: [
    '--tool=callgrind',
    ...(CACHE_SIM ? ['--cache-sim=yes'] : []),
    '--instr-atstart=no',
    '--smc-check=all-non-file',
    '--separate-threads=yes',
    '--dump-line=no',
    '--compress-strings=no',
    ...(process.env.BENCH_CALLER_DEPTH ? [`--separate-callers=${process.env.BENCH_CALLER_DEPTH}`] : []),
    `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
    NODE,
    ...(BY_FUNCTION ? ['--perf-basic-prof'] : []),
    ...variantFlags(variant),
    app.script,
  ],
  cwd: app.cwd,
  env: serverEnv,
  // Node takes several seconds to start under valgrind.
  timeoutMs: 120_000,
})
/** The server's process (valgrind runs Node in it; the perf map is named after it). */
const pid = server.child.pid
// BENCH_CONNECTIONS=<n>: n keep-alive connections, each sending its share of the requests one
// after the other (the overhead benchmark's load has 10), instead of one connection.
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1)
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
/** `count` requests over the connections, each connection's one after another. */
const send = (count) =>
  Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      for (let i = c; i < count; i += CONNECTIONS) await getOk(agent, server.port, app.path)
    }),
  )
// The server's own environment: its HOST names valgrind's control files.
const control = (...args) =>
  execFileSync('callgrind_control', [...args, String(pid)], {
    stdio: 'ignore',
    env: { ...process.env, ...serverEnv },
  })

await send(WARMUP)
control('--instr=on')
await send(MEASURED)
control('--dump')
control('--instr=off')
await stopServer(server)
agent.destroy()
sink.server.close()

/** Instructions of each thread's dump (thread 1 is the main thread). */
const threads = new Map()
for (const file of readdirSync(dir)) {
  const thread = /-(\d+)$/.exec(file)?.[1]
  const total = Number(/^summary: (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? 0)
  if (thread !== undefined && total > 0) threads.set(Number(thread), total)
}
if (!threads.has(1)) {
  rmSync(dir, { recursive: true, force: true })
  process.stderr.write(`no callgrind dump of ${appName}'s main thread: callgrind_control did not reach it\n`)
  process.exit(1)
}
const main = threads.get(1) ?? 0
/** The main thread's dump file. */
const mainFile = join(
  dir,
  readdirSync(dir).find((f) => /-0*1$/.test(f)),
)
/** The main thread's dump, and the events it counts (Ir, and the cache simulation's misses). */
const mainText = readFileSync(mainFile, 'utf8')
const events = /^events: (.*)$/m.exec(mainText)?.[1].split(' ') ?? ['Ir']
const helpers = [...threads].filter(([t]) => t !== 1).reduce((sum, [, n]) => sum + n, 0)
const k = (n) => `${(n / MEASURED / 1000).toFixed(1)}k`
const lines = [
  `${appName}, ${variant}: ${MEASURED} requests over ${CONNECTIONS} connection(s) after ${WARMUP} warm-up requests`,
  `instructions per request: main thread ${k(main)}, V8 helper threads ${k(helpers)}`,
]

if (CACHE_SIM) {
  const totals = /^summary: (.*)$/m.exec(mainText)?.[1].split(' ').map(Number) ?? []
  const per = (event) => ((totals[events.indexOf(event)] ?? 0) / MEASURED).toFixed(1)
  lines.push(
    `main thread misses per request: L1 instruction ${per('I1mr')}, L1 data read ${per('D1mr')}, L1 data write ${per('D1mw')}; ` +
      `last level: instruction ${per('ILmr')}, data read ${per('DLmr')}, data write ${per('DLmw')}`,
  )
}

if (BY_FUNCTION) {
  const map = readFileSync(`/tmp/perf-${pid}.map`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [address, size, ...name] = line.split(' ')
      return [Number.parseInt(address, 16), Number.parseInt(size, 16), name.join(' ')]
    })
    .sort((a, b) => a[0] - b[0])
  rmSync(`/tmp/perf-${pid}.map`, { force: true })
  /** The JavaScript function at `address` (perf map), by binary search. */
  const jsName = (address) => {
    let lo = 0
    let hi = map.length - 1
    let best = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (map[mid][0] <= address) {
        best = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return best >= 0 && address < map[best][0] + map[best][1] ? map[best][2] : 'JIT code (unnamed)'
  }
  /** A callgrind function name, JavaScript named from the perf map, C++ without its parameters. */
  const oneName = (name) => {
    const address = /^0x([0-9a-f]+)/.exec(name)
    return address
      ? jsName(Number.parseInt(address[1], 16))
      : name.replace(/\((?!anonymous namespace\)).*$/, '')
  }
  // With BENCH_CALLER_DEPTH, callgrind names a function with its callers: fn'caller'caller's caller.
  const functionName = process.env.BENCH_CALLER_DEPTH
    ? (name) => name.split("'").map(oneName).join(' < ')
    : oneName
  const self = new Map()
  // With the cache simulation, each function's own L1 instruction and data read misses too.
  const i1 = events.indexOf('I1mr')
  const d1 = events.indexOf('D1mr')
  const selfMisses = new Map()
  // BENCH_CALLERS=<regular expression>: who calls the matching functions, by inclusive cost.
  const callersOf = process.env.BENCH_CALLERS ? new RegExp(process.env.BENCH_CALLERS) : undefined
  const callers = new Map()
  let fn = ''
  let callee = ''
  let afterCall = false
  for (const line of mainText.split('\n')) {
    if (line.startsWith('fn=')) fn = functionName(line.slice(3))
    else if (line.startsWith('cfn=')) callee = functionName(line.slice(4))
    else if (line.startsWith('calls=')) afterCall = true
    else if (/^[+-]?\d+( \d+)+$/.test(line)) {
      // The line after `calls=` is the call's inclusive cost, not the function's own.
      const costs = line.split(' ')
      const cost = Number(costs[1])
      if (!afterCall) {
        self.set(fn, (self.get(fn) ?? 0) + cost)
        if (i1 >= 0) {
          const misses = selfMisses.get(fn) ?? [0, 0]
          misses[0] += Number(costs[1 + i1] ?? 0)
          misses[1] += Number(costs[1 + d1] ?? 0)
          selfMisses.set(fn, misses)
        }
      } else if (callersOf?.test(callee)) {
        const key = `${callee.slice(0, process.env.BENCH_CALLER_DEPTH ? 100 : 60)}  <-  ${fn}`
        callers.set(key, (callers.get(key) ?? 0) + cost)
      }
      afterCall = false
    }
  }
  if (callersOf) {
    lines.push('', `main thread, callers of /${callersOf.source}/ (inclusive instructions per request):`)
    for (const [name, n] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 80)) {
      lines.push(
        `${(n / MEASURED).toFixed(0).padStart(8)}  ${name.slice(0, process.env.BENCH_CALLER_DEPTH ? 900 : 200)}`,
      )
    }
  }
  lines.push('', 'main thread, instructions per request by function (self):')
  for (const [name, n] of [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.BENCH_TOP ?? 60))) {
    lines.push(`${(n / MEASURED).toFixed(0).padStart(8)}  ${name.slice(0, 140)}`)
  }
  if (i1 >= 0) {
    lines.push('', 'main thread, L1 instruction / data read misses per request by function (self):')
    for (const [name, [ins, data]] of [...selfMisses]
      .sort((a, b) => b[1][0] + b[1][1] - a[1][0] - a[1][1])
      .slice(0, Number(process.env.BENCH_TOP ?? 60))) {
      lines.push(
        `${(ins / MEASURED).toFixed(0).padStart(8)} ${(data / MEASURED).toFixed(0).padStart(6)}  ${name.slice(0, 140)}`,
      )
    }
  }
}
rmSync(dir, { recursive: true, force: true })
process.stdout.write(`${lines.join('\n')}\n`)
process.exit(0)
