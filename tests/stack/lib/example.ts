// Runs examples/shop-api under the otelkit preload for the stack tests: its own PostgreSQL
// database (created and dropped), a random Redis key prefix, free loopback ports; and a short,
// bounded load that exercises normal routes, errors (4xx, 5xx, validation), the cache, the
// database, an upstream call and queue time.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../support/prometheus.ts'

const exampleDir = fileURLToPath(new URL('../../../examples/shop-api/', import.meta.url))
const PG = ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qAtc']

/**
 * Redis logical database of the stack tests: the example's cache writes under its own `shop:`
 * namespace whatever REDIS_PREFIX says, so a database of its own keeps other tests' keys apart.
 */
export const REDIS_DB = 11
const REDIS_URL = `redis://127.0.0.1:6379/${REDIS_DB}`

/** A running example service. */
export interface Example {
  serviceName: string
  /** The service's stdout and stderr so far (the last 4,000 characters). */
  output(): string
  url: string
  opsUrl: string
  opsPort: number
  pid: number
  stop(): Promise<void>
}

/** Options of {@link startExample}. */
export interface ExampleOptions {
  /**
   * Environment on top of the defaults below (which send no traces): e.g.
   * `{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }`, or
   * `{ FAULT_CONTROL: 'on' }` for the fault-injection route.
   */
  env?: Record<string, string>
}

/** Creates a database, migrates it, starts the example with the preload and waits for its /metrics. */
export async function startExample(serviceName: string, options: ExampleOptions = {}): Promise<Example> {
  const suffix = randomBytes(4).toString('hex')
  const db = `otelkit_stack_${suffix}`
  const prefix = `otelkit-stack-${suffix}:`
  execFileSync('psql', [...PG, `CREATE DATABASE ${db}`])
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${db}`
  const [port, opsPort, closedPort] = [await freePort(), await freePort(), await freePort()]
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    SEED_PRODUCTS: '200',
    PORT: String(port),
    OTELKIT_OPS_PORT: String(opsPort),
    OTELKIT_OPS_HOST: '127.0.0.1',
    OTEL_SERVICE_NAME: serviceName,
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'prometheus',
    OTELKIT_RESOURCE_INTERVAL: '1s',
    OTELKIT_HEALTH_INTERVAL: '1s',
    // Two real dependencies and one that is down, so every health state has series.
    OTELKIT_HEALTH_CHECKS: `postgres=${databaseUrl},redis=${REDIS_URL},pricing=http://127.0.0.1:${closedPort}/`,
    ...options.env,
  }
  const cleanupDb = () => {
    execFileSync('psql', [...PG, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`])
    for (const pattern of [`${prefix}*`, 'shop:*']) {
      const keys = execFileSync('redis-cli', ['-n', String(REDIS_DB), '--scan', '--pattern', pattern], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
      if (keys.length > 0) execFileSync('redis-cli', ['-n', String(REDIS_DB), 'DEL', ...keys])
    }
  }
  try {
    execFileSync(process.execPath, ['dist/migrate.js'], { cwd: exampleDir, env, stdio: 'pipe' })
  } catch (err) {
    cleanupDb()
    throw err
  }
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', '@otelkit/node/register', 'dist/server.js'],
    {
      cwd: exampleDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) {
        child.kill('SIGKILL')
        await exited
      }
    }
    cleanupDb()
  }
  const opsUrl = `http://127.0.0.1:${opsPort}`
  const deadline = Date.now() + 30_000
  for (;;) {
    const ok = await fetch(`${opsUrl}/metrics`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`shop-api did not become live: ${output}`)
    }
    await sleep(100)
  }
  return {
    serviceName,
    output: () => output,
    url: `http://127.0.0.1:${port}`,
    opsUrl,
    opsPort,
    pid: child.pid!,
    stop,
  }
}

/** One request of the load mix: path, method, body. */
interface Req {
  path: string
  method?: 'GET' | 'POST'
  body?: unknown
}

function mix(i: number): Req[] {
  const id = (i % 40) + 1
  const reqs: Req[] = [
    { path: '/products' },
    { path: `/products?page=${(i % 3) + 1}` },
    { path: `/products/${id}` },
    { path: `/products/${(i % 5) + 1}` },
    { path: '/catalog/products' },
    { path: `/catalog/products?page=${(i % 3) + 1}` },
    { path: `/catalog/products/${(i % 10) + 1}` },
    { path: `/products/search?q=item%20${(i % 9) + 1}` },
    {
      path: '/orders',
      method: 'POST',
      body: { email: 'load@example.test', items: [{ productId: id, quantity: 1 }] },
    },
  ]
  if (i % 3 === 0) reqs.push({ path: '/fail' })
  if (i % 4 === 0) reqs.push({ path: '/products/999999' }, { path: '/products/search?q=x' })
  if (i % 4 === 1) reqs.push({ path: '/orders', method: 'POST', body: { items: [] } })
  if (i % 5 === 0) reqs.push({ path: '/upstream' })
  if (i % 10 === 0) reqs.push({ path: '/reports/slow' })
  return reqs
}

/**
 * Sends the load mix with `concurrency` workers until `rounds` rounds are done or `maxMs`
 * passes, whichever is first. Each request carries X-Request-Start (queue time). Returns the
 * count of responses by status code.
 */
export async function runLoad(
  baseUrl: string,
  { rounds = 60, concurrency = 4, maxMs = 15_000 } = {},
): Promise<Record<number, number>> {
  const codes: Record<number, number> = {}
  const until = Date.now() + maxMs
  let next = 0
  const worker = async () => {
    while (next < rounds && Date.now() < until) {
      const i = next++
      for (const r of mix(i)) {
        const res = await fetch(`${baseUrl}${r.path}`, {
          method: r.method ?? 'GET',
          headers: {
            'x-request-start': `t=${Date.now() - 3}`,
            ...(r.body ? { 'content-type': 'application/json' } : {}),
          },
          body: r.body ? JSON.stringify(r.body) : undefined,
        }).catch(() => undefined)
        if (res) {
          await res.arrayBuffer()
          codes[res.status] = (codes[res.status] ?? 0) + 1
        }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return codes
}
