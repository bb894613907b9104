/**
 * Runs a fixture service as a child process with the real preload flag (`--import` or
 * `--require`), and gives tests its port, its ops server, its stderr and a clean stop.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js'

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const FIXTURES = join(PACKAGE_DIR, 'test', 'fixtures')
export const REGISTER_ESM = join(PACKAGE_DIR, 'dist', 'register.js')
export const REGISTER_CJS = join(PACKAGE_DIR, 'dist', 'register-cjs.cjs')

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** Whether `port` can be bound on 127.0.0.1 right now (nothing listens there). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

export interface RunningService {
  child: ChildProcess
  port: number
  opsPort: number
  stderr(): string
  stdout(): string
  url(path: string): string
  get(path: string, init?: RequestInit): Promise<Response>
  metrics(): Promise<string>
  /** Sends a signal and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface StartOptions {
  fixture: string
  preload?: 'import' | 'require' | 'none'
  env?: Record<string, string | undefined>
  /** Extra node flags before the preload. */
  nodeArgs?: string[]
  timeoutMs?: number
  /** The variable that carries the ops server port (`OTELKIT_OPS_PORT` unless told). */
  opsPortVariable?: 'OTELKIT_OPS_PORT' | 'OTEL_EXPORTER_PROMETHEUS_PORT'
}

const running = new Set<ChildProcess>()

/** The node flags that load the preload the way a fixture asks (`--import` by default). */
function preloadArgs(preload: 'import' | 'require' | 'none' | undefined): string[] {
  if (preload === 'none') return []
  return preload === 'require' ? ['--require', REGISTER_CJS] : ['--import', REGISTER_ESM]
}

export async function startService(options: StartOptions): Promise<RunningService> {
  const portVariable = options.opsPortVariable ?? 'OTELKIT_OPS_PORT'
  const explicitOpsPort = options.env?.[portVariable]
  const opsPort = explicitOpsPort !== undefined ? Number(explicitOpsPort) : await freePort()
  const preload = preloadArgs(options.preload)
  const env: Record<string, string | undefined> = {
    ...process.env,
    OTELKIT_OPS_HOST: '127.0.0.1',
    OTEL_SERVICE_NAME: 'fixture',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_TRACES_EXPORTER: 'none',
    ...options.env,
    [portVariable]: explicitOpsPort ?? String(opsPort),
  }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...preload, join(FIXTURES, options.fixture)],
    {
      cwd: PACKAGE_DIR,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  running.add(child)
  let out = ''
  let err = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    err += d
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolve({ code, signal })
    }),
  )
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fixture ${options.fixture} did not start:\n${out}\n${err}`)),
      options.timeoutMs ?? 20_000,
    )
    const check = () => {
      const m = /listening (\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    }
    child.stdout?.on('data', check)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(
        new Error(`fixture ${options.fixture} exited (${code ?? signal}) before listening:\n${out}\n${err}`),
      )
    })
  })
  const service: RunningService = {
    child,
    port,
    opsPort,
    stderr: () => err,
    stdout: () => out,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    get: (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init),
    metrics: async () => (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text(),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
  return service
}

/** Kills every fixture still running (afterAll safety net). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL')
}

/** Sum of a Prometheus series' values whose line matches all `parts`. */
export function seriesValue(text: string, name: string, parts: string[] = []): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    if (parts.every((p) => line.includes(p))) total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}

/**
 * The TCP addresses (`host:port`, IPv4) process `pid` listens on (Linux: its socket inodes from
 * /proc/<pid>/fd, their LISTEN entries in /proc/net/tcp). Unlike connecting to an address, this
 * cannot be answered by another process that took the same port on another address.
 */
export function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
      const match = /^socket:\[(\d+)\]$/.exec(target)
      if (match) inodes.add(match[1] as string)
    } catch {
      // closed meanwhile
    }
  }
  const addresses: string[] = []
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    // local_address is hex "AABBCCDD:PPPP" (the address little-endian), st 0A is LISTEN.
    if (fields.length < 10 || fields[3] !== '0A' || !inodes.has(fields[9] as string)) continue
    const [hexAddress, hexPort] = (fields[1] as string).split(':') as [string, string]
    const bytes = (hexAddress.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)).reverse()
    addresses.push(`${bytes.join('.')}:${Number.parseInt(hexPort, 16)}`)
  }
  return addresses.sort()
}

/** The /metrics text of an SDK started in this process (`start()` with an ops port). */
export async function sdkMetrics(sdk: { opsPort(): number | undefined }): Promise<string> {
  return (await fetch(`http://127.0.0.1:${sdk.opsPort()}/metrics`)).text()
}

/** Resident set size of a process, in MB (Linux: /proc/<pid>/status). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}

export interface RunOptions {
  fixture: string
  preload?: 'import' | 'require' | 'none'
  env?: Record<string, string | undefined>
  timeoutMs?: number
}

/** Runs a fixture script to its end under the preload; resolves with its exit code and output. */
export function runFixture(
  options: RunOptions,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const preload = preloadArgs(options.preload)
  const env: Record<string, string | undefined> = {
    ...process.env,
    OTELKIT_OPS_HOST: '127.0.0.1',
    OTELKIT_OPS_PORT: '0',
    OTEL_SERVICE_NAME: 'fixture',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    ...options.env,
  }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...preload, join(FIXTURES, options.fixture)], {
      cwd: PACKAGE_DIR,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    running.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => {
      stdout += d
    })
    child.stderr?.on('data', (d) => {
      stderr += d
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`fixture ${options.fixture} did not finish:\n${stdout}\n${stderr}`))
    }, options.timeoutMs ?? 30_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      running.delete(child)
      resolve({ code, stdout, stderr })
    })
  })
}

/**
 * The environment that makes a service export its spans to `receiver` as `service` (OTLP/HTTP;
 * the protocol given, else the SDK's default, protobuf).
 */
export function exportTo(receiver: OtlpReceiver, service: string, protocol?: string): Record<string, string> {
  const env: Record<string, string> = {
    OTEL_SERVICE_NAME: service,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  }
  if (protocol !== undefined) env.OTEL_EXPORTER_OTLP_PROTOCOL = protocol
  return env
}

/**
 * The OTLP receiver of a test file: started before the file's tests; after them, every service
 * the file started is killed and the receiver closed. The object returned forwards to the running
 * receiver, so use it inside tests and hooks, not at module level.
 */
export function receiverForFile(options?: Parameters<typeof startOtlpReceiver>[0]): OtlpReceiver {
  let current: OtlpReceiver | undefined
  beforeAll(async () => {
    current = await startOtlpReceiver(options)
  })
  afterAll(async () => {
    killAll()
    await current?.close()
  })
  return new Proxy({} as OtlpReceiver, {
    get(_target, key) {
      if (current === undefined) {
        throw new Error('the OTLP receiver starts in beforeAll: use it inside tests and hooks')
      }
      const value = Reflect.get(current, key)
      return typeof value === 'function' ? value.bind(current) : value
    },
  })
}
