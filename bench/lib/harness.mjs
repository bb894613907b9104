// Shared benchmark helpers: start a server process and wait for its port, run a load in a child
// process, an OTLP sink that accepts and counts exports, a periodic /metrics scraper, free ports,
// RSS sampling, heap reports of a server started with HEAP_REPORT_FLAGS, and summary statistics.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const NODE = process.execPath

// Servers run on this process's Node. The machine's own Node (20) is not the workspace's: its
// AsyncLocalStorage runs on async hooks and shop-api alone costs 2.6 times the instructions, so
// a number measured there says nothing about the supported runtimes.
const NODE_MAJOR = Number(process.versions.node.split('.')[0])
if (NODE_MAJOR < 22) {
  process.stderr.write(
    `benchmarks need Node 22.15+ (this is ${process.version}): run them with \`pnpm bench\` or node_modules/.bin/node\n`,
  )
  process.exit(1)
}

/**
 * Starts a server and resolves when it prints its port. `command` runs instead of Node (a wrapper
 * such as valgrind, with Node among `args`); `timeoutMs` bounds the wait.
 */
export function startServer({
  args,
  env = {},
  cwd = ROOT,
  readyPattern = /listening (\d+)|listening on .*:(\d+)/,
  command = NODE,
  timeoutMs = 20_000,
}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), timeoutMs)
    child.stdout.on('data', (d) => {
      out += d
      const m = readyPattern.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, port: Number(m[1] ?? m[2] ?? env.PORT), stderr: () => err })
      }
    })
    child.stderr.on('data', (d) => {
      err += d
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}: ${err}`))
    })
  })
}

export function stopServer(server) {
  return new Promise((resolve) => {
    server.child.removeAllListeners('exit')
    server.child.once('exit', () => resolve())
    server.child.kill('SIGKILL')
  })
}

/** One GET through `agent` (keep-alive); resolves when the body is read, rejects unless it is 200. */
export function getOk(agent, port, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode} for ${path}`)),
        )
      })
      .on('error', reject)
  })
}

export function runLoad(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [join(ROOT, 'bench/lib/load.mjs'), JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load exited with ${code}`))
      else resolve(JSON.parse(out.trim().split('\n').pop()))
    })
  })
}

/** An OTLP/HTTP endpoint that accepts everything and counts requests and bytes. */
export function startSink() {
  const stats = { requests: 0, bytes: 0 }
  const server = http.createServer((req, res) => {
    req.on('data', (d) => {
      stats.bytes += d.length
    })
    req.on('end', () => {
      stats.requests++
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, stats, server }),
    ),
  )
}

/** A port that was free a moment ago (for servers that need an explicit one). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

/**
 * Scrapes `url` every `intervalMs` (as Prometheus would) until stopped; reads every body whole.
 * `stop()` resolves to the number of successful scrapes.
 */
export function startScraper(url, intervalMs = 5000) {
  let ok = 0
  const scrape = () =>
    fetch(url)
      .then(async (res) => {
        await res.arrayBuffer()
        if (res.ok) ok++
      })
      .catch(() => undefined)
  const timer = setInterval(scrape, intervalMs)
  scrape()
  return {
    stop() {
      clearInterval(timer)
      return ok
    },
  }
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /VmRSS:\s+(\d+) kB/.exec(status)
  return m ? Number(m[1]) / 1024 : Number.NaN
}

/** Node flags that make a server answer SIGUSR2 with a heap report (see heap-report.mjs). */
export const HEAP_REPORT_FLAGS = ['--import', join(ROOT, 'bench/lib/heap-report.mjs')]

const MB = 1024 * 1024

/**
 * The RSS of a server started with HEAP_REPORT_FLAGS and the young generation V8 holds in it (new
 * space and new large-object space, its size, as V8 reserves it), in MB, from a heap report it is
 * asked for now; and the resident split of the rest: old generation, other V8 spaces, native
 * memory outside V8's heap, file-backed pages.
 */
export async function heapReport(server) {
  const reports = () =>
    server
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('HEAP '))
  const before = reports().length
  process.kill(server.child.pid, 'SIGUSR2')
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    const lines = reports()
    if (lines.length > before) {
      const { rss, spaces, resident, anon, file } = JSON.parse(lines[lines.length - 1].slice(5))
      const young = (spaces.new_space ?? 0) + (spaces.new_large_object_space ?? 0)
      const residentOf = (names) => names.reduce((sum, name) => sum + (resident?.[name] ?? 0), 0)
      const youngResident = residentOf(['new_space', 'new_large_object_space'])
      const oldResident = residentOf(['old_space', 'large_object_space'])
      const heapResident = Object.values(resident ?? {}).reduce((sum, size) => sum + size, 0)
      return {
        rss: rss / MB,
        young: young / MB,
        /** The young generation's resident pages. */
        youngResident: youngResident / MB,
        /** The old generation's resident pages (old space and large objects). */
        old: oldResident / MB,
        /** The rest of V8's heap resident: code, trusted and read-only spaces. */
        otherHeap: (heapResident - oldResident - youngResident) / MB,
        /** Anonymous memory outside V8's heap (malloc and Node's own), when /proc tells it. */
        native: anon === undefined ? Number.NaN : (anon - heapResident) / MB,
        /** Pages of the node binary and shared libraries touched. */
        file: file === undefined ? Number.NaN : file / MB,
      }
    }
  }
  throw new Error(`the server (pid ${server.child.pid}) sent no heap report within 2 s`)
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export function summary(values, digits = 0) {
  const f = (n) => n.toFixed(digits)
  return `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`
}
