/**
 * Test harness for a real Prometheus server (the stack's built Prometheus, at the version
 * compose.yaml pins, see stack-bin.ts; PROMETHEUS_BIN overrides it): starts it on a free loopback port with a given configuration in a temporary
 * directory, waits until it is ready, queries its HTTP API, and stops it by PID.
 *
 * ```ts
 * const prom = await startPrometheus({ config: { global: { scrape_interval: '1s' }, scrape_configs: [...] } })
 * try {
 *   await prom.waitForTargets(1)
 *   const series = await prom.query('up')
 * } finally {
 *   await prom.stop()
 * }
 * ```
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { stringify } from 'yaml'
import { stackBinary } from './stack-bin.ts'

/** Options of {@link startPrometheus}. */
export interface PrometheusOptions {
  /** prometheus.yml content: a YAML string or an object serialised to YAML. */
  config: string | Record<string, unknown>
  /** Extra files written next to the config (name -> content), e.g. rule files it references. */
  files?: Record<string, string>
  /** Extra command-line flags. @default [] */
  args?: string[]
  /** How long to wait for /-/ready. @default 30000 */
  readyTimeoutMs?: number
  /** Binary to run. @default stackBinary('prometheus') (PROMETHEUS_BIN, else the stack's build) */
  bin?: string
}

/** One sample of an instant-vector result. */
export interface Sample {
  metric: Record<string, string>
  value: [number, string]
}

/** A running Prometheus. */
export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string
  port: number
  pid: number
  /** Temporary directory holding the config, extra files and the TSDB. */
  dir: string
  /** Instant query; throws on a query error. `result` for vectors, scalars as one sample. */
  query(expr: string, time?: Date): Promise<Sample[]>
  /** Any GET on the HTTP API (`/api/v1/...`), returning the `data` field. */
  api<T = unknown>(path: string, params?: Record<string, string>): Promise<T>
  /** Waits until `count` scrape targets report health "up". */
  waitForTargets(count: number, timeoutMs?: number): Promise<void>
  /** Stops the process (SIGTERM, then SIGKILL) and removes the temporary directory. */
  stop(): Promise<void>
}

/** A free TCP port on 127.0.0.1 (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/** Starts Prometheus and resolves once it answers /-/ready. */
export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-prom-'))
  const configFile = join(dir, 'prometheus.yml')
  writeFileSync(configFile, typeof opts.config === 'string' ? opts.config : stringify(opts.config))
  for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), content)

  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(
    opts.bin ?? stackBinary('prometheus'),
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(opts.args ?? []),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])
      if (!done) {
        child.kill('SIGKILL')
        await exited
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000)
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`)
    }
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`prometheus not ready after ${opts.readyTimeoutMs ?? 30_000} ms: ${stderr}`)
    }
    await sleep(100)
  }

  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`)
    const body = (await res.json()) as { status: string; data: T; error?: string }
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`)
    return body.data
  }

  return {
    url,
    port,
    pid: child.pid!,
    dir,
    api,
    async query(expr, time = new Date()) {
      const data = await api<{ resultType: string; result: Sample[] | [number, string] }>('/api/v1/query', {
        query: expr,
        time: String(time.getTime() / 1000),
      })
      if (data.resultType === 'scalar' || data.resultType === 'string') {
        return [{ metric: {}, value: data.result as [number, string] }]
      }
      return data.result as Sample[]
    },
    async waitForTargets(count, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const t = await api<{ activeTargets: Array<{ health: string; lastError: string }> }>(
          '/api/v1/targets',
        )
        const up = t.activeTargets.filter((x) => x.health === 'up').length
        if (up >= count) return
        if (Date.now() > until) {
          throw new Error(`${up}/${count} targets up: ${t.activeTargets.map((x) => x.lastError).join('; ')}`)
        }
        await sleep(200)
      }
    },
    stop,
  }
}
