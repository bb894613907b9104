/**
 * Test harness for a real Prometheus server (the stack's built Prometheus, at the version
 * compose.yaml pins, see stack-bin.ts; PROMETHEUS_BIN overrides it): starts it on a free loopback port with a given configuration in a temporary
 * directory (started and stopped through daemon.ts), waits until it is ready, and queries its HTTP API.
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
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { stringify } from 'yaml'
import { startDaemon } from './daemon.ts'
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

/** Exemplars of one series, as /api/v1/query_exemplars returns them. */
export interface ExemplarSeries {
  seriesLabels: Record<string, string>
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>
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
  /** Stored exemplars of the series `expr` selects, between `start` (default: an hour ago) and now. */
  exemplars(expr: string, start?: Date): Promise<ExemplarSeries[]>
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
  const { pid, stop } = await startDaemon({
    name: 'prometheus',
    bin: opts.bin ?? stackBinary('prometheus'),
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(opts.args ?? []),
    ],
    dir,
    readyUrl: `${url}/-/ready`,
    readyTimeoutMs: opts.readyTimeoutMs,
  })

  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`)
    const body = (await res.json()) as { status: string; data: T; error?: string }
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`)
    return body.data
  }

  return {
    url,
    port,
    pid,
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
    exemplars(expr, start = new Date(Date.now() - 3_600_000)) {
      return api<ExemplarSeries[]>('/api/v1/query_exemplars', {
        query: expr,
        start: String(start.getTime() / 1000),
        end: String(Date.now() / 1000 + 60),
      })
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
