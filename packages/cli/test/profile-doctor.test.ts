/**
 * `otelkit profile` against a real ops server with the profiling feature (the CLI as a child
 * process), and `otelkit doctor` against ops servers that are healthy, have a broken exporter
 * and a down dependency, or are not there at all.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningOpsServer, startOpsServer } from '../../node/src/ops/server.js'
import { profilingFeature } from '../../node/src/profiling/index.js'
import { type CountingServer, ensureBuilt, runCli, startCountingServer, tempDir } from './helpers.js'

const TOKEN = 'cli-profile-token'

function otelkitCliBurnMarker(ms: number): number {
  const end = performance.now() + ms
  let x = 0
  while (performance.now() < end) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i)
  return x
}

describe('otelkit profile', () => {
  let ops: RunningOpsServer
  let base: string
  const hooks: Array<() => unknown> = []

  beforeAll(async () => {
    ensureBuilt()
    profilingFeature.install({
      config: { serviceName: 'cli-profiled', profileMaxSeconds: 2 } as never,
      meterProvider: undefined as never,
      meter: undefined as never,
      telemetryDropped: undefined as never,
      addSpanProcessor() {},
      onShutdown: (hook) => void hooks.push(hook),
    })
    ops = startOpsServer({ port: 0, host: '127.0.0.1', debugToken: TOKEN })
    for (let i = 0; i < 200 && ops.port === undefined; i++) await new Promise((r) => setTimeout(r, 10))
    base = `http://127.0.0.1:${ops.port}`
  })

  afterAll(async () => {
    for (const hook of hooks) await hook()
    await ops.close()
  })

  it('writes a CPU profile that decodes and shows the hot function', async () => {
    const out = join(tempDir(), 'cpu.pb.gz')
    const timer = setInterval(() => otelkitCliBurnMarker(15), 20)
    const run = await runCli(['profile', base, '--seconds', '1', '--token', TOKEN, '-o', out]).finally(() =>
      clearInterval(timer),
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`wrote cpu profile ${out}`)
    const profile = Profile.decode(gunzipSync(readFileSync(out)))
    expect(profile.stringTable.strings).toContain('otelkitCliBurnMarker')
  })

  it('writes a heap profile with --heap, token from OTELKIT_DEBUG_TOKEN', async () => {
    const out = join(tempDir(), 'heap.pb.gz')
    const run = await runCli(['profile', base, '--heap', '-o', out], { OTELKIT_DEBUG_TOKEN: TOKEN })
    expect(run.code).toBe(0)
    const profile = Profile.decode(gunzipSync(readFileSync(out)))
    expect(profile.sampleType.length).toBe(2)
  })

  it('explains a refused token and a missing one in one line, exit 2', async () => {
    const wrong = await runCli([
      'profile',
      base,
      '--seconds',
      '1',
      '--token',
      'nope',
      '-o',
      join(tempDir(), 'x'),
    ])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1)
    expect(wrong.stderr).toContain('answered 401')
    expect(wrong.stderr).toContain('rejected')
    const none = await runCli(['profile', base, '--seconds', '1', '-o', join(tempDir(), 'x')])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('a debug token is required')
  })
})

interface FakeOps {
  dropped: number
  readyStatus: number
  readyBody: unknown
  instrumentations: string[]
}

function fakeOpsServer(state: FakeOps): Promise<CountingServer> {
  return startCountingServer((req, res) => {
    if (req.url === '/metrics') {
      state.dropped += state.dropped > 0 ? 5 : 0
      const lines = [
        '# TYPE otelkit_instrumentation_enabled gauge',
        ...state.instrumentations.map((i) => `otelkit_instrumentation_enabled{instrumentation="${i}"} 1`),
        '# TYPE otelkit_telemetry_dropped_total counter',
        `otelkit_telemetry_dropped_total{signal="traces",reason="export_failed"} ${state.dropped}`,
        `otelkit_telemetry_dropped_total{signal="traces",reason="queue_full"} 0`,
        'http_server_request_duration_seconds_count{http_route="/x"} 3',
        '',
      ]
      res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\n'))
    } else if (req.url === '/readyz') {
      res
        .writeHead(state.readyStatus, { 'content-type': 'application/json' })
        .end(JSON.stringify(state.readyBody))
    } else res.writeHead(404).end()
  })
}

describe('otelkit doctor', () => {
  const servers: CountingServer[] = []
  beforeAll(() => ensureBuilt())
  afterAll(async () => {
    for (const s of servers) await s.close()
  })

  it('passes a healthy service and lists its instrumentations', async () => {
    const ops = await fakeOpsServer({
      dropped: 0,
      readyStatus: 200,
      readyBody: { status: 'up', checks: { postgres: { status: 'up', critical: true, lastError: null } } },
      instrumentations: ['pg', 'http', 'ioredis'],
    })
    servers.push(ops)
    const run = await runCli(['doctor', ops.url, '--wait', '200ms'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('ok   instrumentations: active: http, ioredis, pg')
    expect(run.stdout).toContain('ok   exporter: no export failures recorded')
    expect(run.stdout).toContain('ok   readiness: up (1 checks: postgres)')
    expect(run.stdout).toContain('no problems found')
  })

  it('reports a broken exporter and a down dependency with fixes, exit 1', async () => {
    const ops = await fakeOpsServer({
      dropped: 40,
      readyStatus: 503,
      readyBody: {
        status: 'down',
        checks: {
          postgres: { status: 'down', critical: true, lastError: 'connect ECONNREFUSED 127.0.0.1:1' },
          redis: { status: 'up', critical: false, lastError: null },
        },
      },
      instrumentations: ['http'],
    })
    servers.push(ops)
    const run = await runCli(['doctor', ops.url, '--wait', '200ms'])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(
      /FAIL exporter: \d+ traces items dropped because export failed \(\+\d+ during this check: still failing\)/,
    )
    expect(run.stdout).toContain('fix: check OTEL_EXPORTER_OTLP_ENDPOINT')
    expect(run.stdout).toContain('FAIL health postgres: down: connect ECONNREFUSED 127.0.0.1:1')
    expect(run.stdout).toContain('fix: is PostgreSQL up')
    expect(run.stdout).toContain('2 problems found')
    const json = await runCli(['doctor', ops.url, '--wait', '100ms', '--json'])
    expect(json.code).toBe(1)
    const report = JSON.parse(json.stdout) as {
      ok: boolean
      findings: Array<{ level: string; check: string }>
    }
    expect(report.ok).toBe(false)
    expect(report.findings.filter((f) => f.level === 'problem').map((f) => f.check)).toEqual([
      'exporter',
      'health postgres',
    ])
  })

  it('says when the ops server is not reachable, exit 2', async () => {
    const gone = await startCountingServer()
    const url = gone.url
    await gone.close()
    const run = await runCli(['doctor', url, '--wait', '0s'])
    expect(run.code).toBe(2)
    expect(run.stdout).toContain('FAIL ops server: cannot reach')
    expect(run.stdout).toContain('fix: is the service running with --import @otelkit/node/register')
  })
})
