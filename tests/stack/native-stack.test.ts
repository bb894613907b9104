// scripts/stack.sh runs the stack natively: a second stack on free ports (its own state folder)
// starts from the shipped config files, answers on every health endpoint, carries a span from
// the agent through the gateway into Jaeger, is scraped by its Prometheus, and `down` frees
// every port. A taken port and a program that fails to start are reported by name, and
// whatever `up` had started is stopped. The generated Prometheus config differs from the
// shipped one only in its targets.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PORT_VARS, type StackEnv, stackEnv } from '../support/stack.ts'
import { stackBinaries, stackBinary } from '../support/stack-bin.ts'

const SHIPPED = fileURLToPath(new URL('../../otel-collector/prometheus/prometheus.yml', import.meta.url))

let native: StackEnv
const stack = (command: string) => native.run(command)

/** Whether something accepts connections on 127.0.0.1:port. */
async function listening(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  return (await res.json()) as T
}

/** Polls `check` until it returns a value or `ms` pass; the last error is in the message. */
async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > until) throw new Error(`${what} within ${ms} ms (last: ${String(last)})`)
    await sleep(250)
  }
}

beforeAll(async () => {
  stackBinaries() // builds what is missing, once
  native = await stackEnv()
})

afterAll(() => {
  if (native) {
    stack('down')
    rmSync(native.state, { recursive: true, force: true })
  }
})

describe('the generated native prometheus.yml', () => {
  it('differs from the shipped file only in targets, each mapped to its 127.0.0.1 port', () => {
    const r = stack('config')
    expect(r.status, r.stderr).toBe(0)
    const generated = readFileSync(r.stdout.trim(), 'utf8').split('\n')
    const shipped = readFileSync(SHIPPED, 'utf8').split('\n')
    expect(generated).toHaveLength(shipped.length)
    const mapped: Record<string, number> = {
      'shop-api:9464': native.ports.OTELKIT_OPS_PORT,
      'otel-collector:8888': native.ports.OTELKIT_COLLECTOR_METRICS_PORT,
      'otel-collector:8889': native.ports.OTELKIT_COLLECTOR_SPANMETRICS_PORT,
      'jaeger:8888': native.ports.OTELKIT_JAEGER_METRICS_PORT,
      'alertmanager:9093': native.ports.OTELKIT_ALERTMANAGER_PORT,
      'localhost:9090': native.ports.OTELKIT_PROMETHEUS_PORT,
    }
    let changed = 0
    shipped.forEach((line, i) => {
      if (generated[i] === line) return
      changed++
      const target = /"([a-z-]+:\d+)"/.exec(line)?.[1]
      expect(target && mapped[target], `line ${i + 1}: ${line}`).toBeTruthy()
      expect(generated[i]).toBe(line.replace(`"${target}"`, `"127.0.0.1:${mapped[target!]}"`))
    })
    expect(changed).toBeGreaterThanOrEqual(6)
  })

  it('is accepted by promtool with the shipped rules (linked beside it)', () => {
    const config = stack('config').stdout.trim()
    const r = spawnSync(stackBinary('promtool'), ['check', 'config', config], { encoding: 'utf8' })
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/)
    expect(r.status).toBe(0)
  })
})

describe('scripts/stack.sh up, status, down', () => {
  it('starts every program, passes a span agent -> gateway -> Jaeger, is scraped, and frees every port on down', async () => {
    const up = stack('up')
    expect(up.status, up.stderr).toBe(0)
    for (const name of ['otel-collector', 'otel-gateway', 'jaeger', 'prometheus', 'alertmanager']) {
      expect(up.stdout).toMatch(new RegExp(`^${name} +running +pid \\d+ +healthy`, 'm'))
    }

    // One error span (tail sampling keeps every error trace) into the agent's OTLP/HTTP port.
    const traceId = randomBytes(16).toString('hex')
    const now = BigInt(Date.now()) * 1_000_000n
    const sent = await fetch(`http://127.0.0.1:${native.ports.OTELKIT_COLLECTOR_OTLP_HTTP_PORT}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'stack-smoke' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: randomBytes(8).toString('hex'),
                    name: 'GET /smoke',
                    kind: 2,
                    startTimeUnixNano: String(now - 5_000_000n),
                    endTimeUnixNano: String(now),
                    status: { code: 2 },
                  },
                ],
              },
            ],
          },
        ],
      }),
    })
    expect(sent.status).toBe(200)
    const jaeger = `http://127.0.0.1:${native.ports.OTELKIT_JAEGER_UI_PORT}`
    const trace = await eventually('the span in Jaeger', 60_000, async () => {
      const res = await fetch(`${jaeger}/api/traces/${traceId}`)
      if (!res.ok) return undefined
      const body = (await res.json()) as { data: Array<{ spans: Array<{ operationName: string }> }> }
      return body.data[0]
    })
    expect(trace.spans.map((s) => s.operationName)).toEqual(['GET /smoke'])

    // Prometheus: the shipped rules, the Alertmanager, and the stack's own targets up.
    const prom = `http://127.0.0.1:${native.ports.OTELKIT_PROMETHEUS_PORT}`
    const rules = await json<{ data: { groups: unknown[] } }>(`${prom}/api/v1/rules`)
    expect(rules.data.groups.length).toBeGreaterThan(5)
    const ams = await json<{ data: { activeAlertmanagers: Array<{ url: string }> } }>(
      `${prom}/api/v1/alertmanagers`,
    )
    expect(ams.data.activeAlertmanagers.map((a) => a.url)).toEqual([
      `http://127.0.0.1:${native.ports.OTELKIT_ALERTMANAGER_PORT}/api/v2/alerts`,
    ])
    const jobs = ['otel-collector', 'otel-collector-spanmetrics', 'jaeger', 'prometheus', 'alertmanager']
    await eventually('every stack target up in Prometheus', 45_000, async () => {
      const t = await json<{ data: { activeTargets: Array<{ labels: { job: string }; health: string }> } }>(
        `${prom}/api/v1/targets`,
      )
      const up = new Set(t.data.activeTargets.filter((x) => x.health === 'up').map((x) => x.labels.job))
      return jobs.every((j) => up.has(j)) ? true : undefined
    })

    const status = stack('status')
    expect(status.status, status.stdout).toBe(0)

    const down = stack('down')
    expect(down.status, down.stderr).toBe(0)
    for (const v of PORT_VARS) {
      if (v !== 'OTELKIT_OPS_PORT') expect(await listening(native.ports[v]), v).toBe(false)
    }
    const after = stack('status')
    expect(after.status).toBe(3)
    expect(after.stdout.match(/ stopped$/gm)).toHaveLength(5)
  }, 240_000)

  it('refuses a taken port, naming the port and the process holding it, and starts nothing', async () => {
    const port = native.ports.OTELKIT_ALERTMANAGER_PORT
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
    try {
      const up = stack('up')
      expect(up.status).toBe(1)
      expect(up.stderr).toContain(`alertmanager cannot start: port 127.0.0.1:${port} is taken by`)
      expect(up.stderr).toContain(`(pid ${process.pid})`)
      expect(stack('status').stdout.match(/ stopped$/gm)).toHaveLength(5)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  }, 120_000)

  it('names a program that fails to start, shows its log, and stops what it had started', async () => {
    // Prometheus cannot open a TSDB directory that is a file.
    mkdirSync(join(native.state, 'prometheus'), { recursive: true })
    rmSync(join(native.state, 'prometheus', 'data'), { recursive: true, force: true })
    writeFileSync(join(native.state, 'prometheus', 'data'), 'not a directory')
    try {
      const up = stack('up')
      expect(up.status).toBe(1)
      expect(up.stderr).toMatch(/prometheus failed: exited during start-up \(log: .*prometheus\.log\)/)
      expect(up.stderr).toContain('last lines of')
      expect(up.stderr).toContain('stopping what this run started')
      expect(stack('status').stdout.match(/ stopped$/gm)).toHaveLength(5)
      for (const v of PORT_VARS) {
        if (v !== 'OTELKIT_OPS_PORT') expect(await listening(native.ports[v]), v).toBe(false)
      }
    } finally {
      rmSync(join(native.state, 'prometheus', 'data'), { force: true })
    }
  }, 120_000)
})
