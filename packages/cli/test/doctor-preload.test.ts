/**
 * `otelkit doctor` against a real service started with the @otelkit/node preload, whose OTLP
 * endpoint is a closed port (a broken exporter) and whose declared database check points at a
 * closed port (a down dependency).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt, PACKAGE_DIR, runCli } from './helpers.js'

const NODE_DIST = join(PACKAGE_DIR, '..', 'node', 'dist')
/** The bundled preload when built, else tsc's output of the same entry. */
const PRELOAD = [join(NODE_DIST, 'register.mjs'), join(NODE_DIST, 'register.js')].find(existsSync)

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

describe('otelkit doctor against a preloaded service', () => {
  let service: ChildProcess
  let opsUrl: string
  let output = ''

  beforeAll(async () => {
    ensureBuilt()
    if (!PRELOAD) throw new Error('packages/node is not built: run pnpm build first')
    const opsPort = await freePort()
    // A port that was free a moment ago: nothing listens there.
    const dead = await freePort()
    opsUrl = `http://127.0.0.1:${opsPort}`
    service = spawn(
      process.execPath,
      ['--import', PRELOAD, join(PACKAGE_DIR, 'test', 'fixtures', 'service.mjs')],
      {
        env: {
          ...process.env,
          OTEL_SERVICE_NAME: 'doctor-fixture',
          OTELKIT_OPS_PORT: String(opsPort),
          OTELKIT_OPS_HOST: '127.0.0.1',
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_METRICS_EXPORTER: 'prometheus',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${dead}`,
          OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
          // Retries of a refused connection end (and the batch counts as dropped) after this.
          OTEL_BSP_EXPORT_TIMEOUT: '1000',
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTELKIT_HEALTH_CHECKS: `critical:db=postgres://postgres@127.0.0.1:${dead}/test`,
          OTELKIT_HEALTH_INTERVAL: '1s',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    service.stdout!.on('data', (d) => (output += d))
    service.stderr!.on('data', (d) => (output += d))
    // Ready, and the first export has failed (the preload logs it).
    for (let i = 0; i < 300 && !(output.includes('ready') && /export .*failed/.test(output)); i++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(output).toContain('ready')
  })

  afterAll(() => {
    if (service?.pid) process.kill(service.pid, 'SIGTERM')
  })

  it('reports the broken exporter (and the down database once health checks are served), exit 1', async () => {
    const run = await runCli(['doctor', opsUrl, '--wait', '500ms'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(`ok   ops server: reachable at ${opsUrl}`)
    expect(run.stdout).toMatch(/ok {3}instrumentations: active: .*http/)
    expect(run.stdout).toMatch(/FAIL exporter: \d+ traces(\/logs)? items dropped because export failed/)
    expect(run.stdout).toContain('fix: check OTEL_EXPORTER_OTLP_ENDPOINT')
    // Health checks: reported down when the health feature serves /readyz, else a warning.
    expect(run.stdout).toMatch(/FAIL health db: down|warn readiness: \/readyz not served/)
  })
})
