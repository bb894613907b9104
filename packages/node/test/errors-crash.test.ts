/**
 * Uncaught exceptions and unhandled rejections in a real child process: the error is exported
 * (OTLP/HTTP JSON to a receiver in this test) before the process ends, and the process ends
 * exactly as Node ends it (exit code 1, Node's own report on stderr). An app's own
 * 'uncaughtException' listener keeps its behaviour. Fingerprints agree across processes.
 *
 * Most cases install the feature from source in the child (a resolve hook maps the sources'
 * `.js` specifiers to their `.ts` files, which Node 24 runs with type stripping), so they test
 * this code without a build; the preload cases run `--import @otelkit/node/register`, one of them
 * over mTLS with per-signal headers (and nothing sent when the CA file cannot be loaded).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestCertificates } from './support/certificates.js'
import { startOtlpReceiver } from './support/otlp-receiver.js'

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
/** A directory where `@otelkit/node` resolves as a dependency (the example service). */
const APP_DIR = join(PACKAGE_DIR, '..', '..', 'examples', 'shop-api')
const SRC = pathToFileURL(join(PACKAGE_DIR, 'src')).href

interface Received {
  path: string
  body: unknown
  at: number
}

let receiver: Server
let endpoint: string
const received: Received[] = []
const dirs: string[] = []

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (c) => {
      data += c
    })
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        body: JSON.parse(data),
        at: performance.timeOrigin + performance.now(),
      })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** The child's entry: installs the feature (as the SDK would), then runs the app module. */
function entry(appFile: string, service: string, appRoot: string): string {
  return `
import { registerHooks } from 'node:module'
registerHooks({
  resolve(specifier, context, next) {
    try { return next(specifier, context) } catch (error) {
      if (error?.code === 'ERR_MODULE_NOT_FOUND' && specifier.endsWith('.js') && context.parentURL?.startsWith(${JSON.stringify(SRC)})) {
        return next(specifier.slice(0, -3) + '.ts', context)
      }
      throw error
    }
  },
})
const { errorsFeature } = await import(${JSON.stringify(`${SRC}/errors-tracking/index.ts`)})
const { resolveConfig } = await import(${JSON.stringify(`${SRC}/config/resolve.ts`)})
const { createNoopMeter } = await import('@opentelemetry/api')
const meter = createNoopMeter()
errorsFeature({ appRoot: ${JSON.stringify(appRoot)} }).install({
  config: resolveConfig({
    serviceName: ${JSON.stringify(service)},
    tracesExporter: ['otlp'],
    metricsExporter: ['otlp'],
    otlpEndpoint: ${JSON.stringify(endpoint)},
  }),
  meterProvider: { getMeter: () => meter },
  meter,
  telemetryDropped: meter.createCounter('otelkit.telemetry.dropped'),
  addSpanProcessor() {},
  onShutdown() {},
})
await import(${JSON.stringify(pathToFileURL(appFile).href)})
`
}

interface Outcome {
  code: number | null
  stderr: string
  stdout: string
  exitedAt: number
}

async function runApp(
  appSource: string,
  service: string,
  env: Record<string, string> = {},
): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-crash-'))
  dirs.push(dir)
  const appFile = join(dir, 'app.mjs')
  writeFileSync(appFile, appSource)
  const child = spawn(process.execPath, ['--input-type=module', '-e', entry(appFile, service, dir)], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let stdout = ''
  child.stderr.setEncoding('utf8').on('data', (c) => {
    stderr += c
  })
  child.stdout.setEncoding('utf8').on('data', (c) => {
    stdout += c
  })
  return new Promise((resolve) => {
    child.on('close', (code) =>
      resolve({ code, stderr, stdout, exitedAt: performance.timeOrigin + performance.now() }),
    )
  })
}

type Kv = { key: string; value: Record<string, unknown> }
const attr = (list: Kv[] | undefined, key: string) => {
  const v = list?.find((a) => a.key === key)?.value
  return v === undefined ? undefined : Object.values(v)[0]
}

function exportedSpan(service: string) {
  for (const r of received) {
    if (r.path !== '/v1/traces') continue
    const rs = (
      r.body as {
        resourceSpans: {
          resource: { attributes: Kv[] }
          scopeSpans: { spans: Record<string, unknown>[] }[]
        }[]
      }
    ).resourceSpans[0]
    if (attr(rs?.resource.attributes, 'service.name') !== service) continue
    const span = rs?.scopeSpans[0]?.spans[0] as {
      attributes: Kv[]
      events: { name: string; attributes: Kv[] }[]
      name: string
    }
    return { span, at: r.at }
  }
  return undefined
}

function exportedErrorCount(service: string) {
  for (const r of received) {
    if (r.path !== '/v1/metrics') continue
    const rm = (
      r.body as {
        resourceMetrics: {
          resource: { attributes: Kv[] }
          scopeMetrics: { metrics: Record<string, unknown>[] }[]
        }[]
      }
    ).resourceMetrics[0]
    if (attr(rm?.resource.attributes, 'service.name') !== service) continue
    const metric = rm?.scopeMetrics[0]?.metrics[0] as {
      name: string
      sum: {
        dataPoints: { attributes: Kv[]; asInt: string; startTimeUnixNano: string; timeUnixNano: string }[]
      }
    }
    return metric
  }
  return undefined
}

const PAYMENT_APP = (id: number) => `
class PaymentError extends Error { name = 'PaymentError' }
function chargeCard(id) { throw new PaymentError('card ' + id + ' declined for jane@example.com') }
setTimeout(() => chargeCard(${id}), 5)
`

describe('uncaught exception', () => {
  it('is exported before the process exits with code 1 and Node’s own report', async () => {
    const outcome = await runApp(PAYMENT_APP(1234), 'crash-uncaught')
    expect(outcome.code).toBe(1)
    // Node's report: the stack of the thrown error and the Node.js version line
    expect(outcome.stderr).toMatch(/PaymentError: card 1234 declined for jane@example.com\n\s+at chargeCard/)
    expect(outcome.stderr).toMatch(/Node\.js v\d+/)
    const exported = exportedSpan('crash-uncaught')
    expect(exported).toBeDefined()
    expect(exported?.at).toBeLessThan(outcome.exitedAt)
    const span = exported?.span
    expect(span?.name).toBe('uncaught exception')
    expect(attr(span?.attributes, 'error.category')).toBe('unhandled')
    expect(attr(span?.attributes, 'error.type')).toBe('PaymentError')
    const fp = attr(span?.attributes, 'otelkit.error.fingerprint')
    expect(fp).toMatch(/^[0-9a-f]{16}$/)
    const event = span?.events[0]
    expect(event?.name).toBe('exception')
    expect(attr(event?.attributes, 'exception.message')).toBe('card 1234 declined for jane@example.com')
    expect(attr(event?.attributes, 'otelkit.error.fingerprint')).toBe(fp)
    expect(outcome.stderr).toContain(`otelkit.error.fingerprint=${fp}`)

    const metric = exportedErrorCount('crash-uncaught')
    expect(metric?.name).toBe('otelkit.errors')
    expect(metric?.sum.dataPoints).toHaveLength(1)
    expect(attr(metric?.sum.dataPoints[0]?.attributes, 'error.category')).toBe('unhandled')
    expect(metric?.sum.dataPoints[0]?.asInt).toBe('1')
  })

  it('starts the exported series at its first event, so a receiver adding zeros at start times counts it', async () => {
    const app = `setTimeout(() => { console.log('throwing at ' + Date.now()); throw new TypeError('late') }, 300)`
    const outcome = await runApp(app, 'crash-start-time')
    expect(outcome.code).toBe(1)
    const thrownMs = Number(/throwing at (\d+)/.exec(outcome.stdout)?.[1])
    const point = exportedErrorCount('crash-start-time')?.sum.dataPoints[0]
    const startMs = Number(BigInt(point?.startTimeUnixNano ?? '0') / 1_000_000n)
    // Not the SDK's start 300 ms earlier: the first (and only) event, just before the point.
    expect(startMs).toBeGreaterThanOrEqual(thrownMs - 1)
    expect(BigInt(point?.startTimeUnixNano ?? '0')).toBeLessThan(BigInt(point?.timeUnixNano ?? '0'))
  })

  it('has the same fingerprint in another process, with another id, from another directory', async () => {
    await runApp(PAYMENT_APP(1), 'crash-fp-a')
    await runApp(PAYMENT_APP(98765), 'crash-fp-b')
    const a = attr(exportedSpan('crash-fp-a')?.span.attributes, 'otelkit.error.fingerprint')
    const b = attr(exportedSpan('crash-fp-b')?.span.attributes, 'otelkit.error.fingerprint')
    expect(a).toMatch(/^[0-9a-f]{16}$/)
    expect(b).toBe(a)
  })

  it('leaves an app’s own uncaughtException listener in charge: no exit, nothing blocks', async () => {
    const outcome = await runApp(
      `
process.on('uncaughtException', (error) => { console.log('app handled ' + error.message) })
setTimeout(() => { throw new Error('survivable 7') }, 5)
setTimeout(() => { console.log('still running'); process.exitCode = 0 }, 50)
`,
      'crash-handled',
    )
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toBe('app handled survivable 7\nstill running\n')
    expect(outcome.stderr).toContain('handled by the application')
    expect(exportedSpan('crash-handled')).toBeUndefined()
  })
})

describe('with the preload', () => {
  it('node --import @otelkit/node/register: exported, then exit code 1 and Node’s report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-crash-'))
    dirs.push(dir)
    const appFile = join(dir, 'app.mjs')
    writeFileSync(appFile, PAYMENT_APP(5150))
    const child = spawn(process.execPath, ['--import', '@otelkit/node/register', appFile], {
      cwd: APP_DIR,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        OTEL_SERVICE_NAME: 'crash-preload',
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_METRICS_EXPORTER: 'otlp',
        OTELKIT_OPS_PORT: '0',
        OTELKIT_OPS_HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (c) => {
      stderr += c
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(1)
    expect(stderr).toMatch(/PaymentError: card 5150 declined for jane@example.com\n\s+at chargeCard/)
    expect(stderr).toMatch(/Node\.js v\d+/)
    const span = exportedSpan('crash-preload')?.span
    expect(span?.name).toBe('uncaught exception')
    expect(attr(span?.attributes, 'error.category')).toBe('unhandled')
    expect(attr(span?.attributes, 'error.type')).toBe('PaymentError')
    const metric = exportedErrorCount('crash-preload')
    expect(metric?.name).toBe('otelkit.errors')
    expect(attr(metric?.sum.dataPoints[0]?.attributes, 'error.category')).toBe('unhandled')
  })
})

describe('over OTLP with TLS', () => {
  it('the crash report goes over mTLS with the signal’s own headers; nothing is sent when the CA does not load', async () => {
    const certs = makeTestCertificates()
    const receiver = await startOtlpReceiver({
      tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca.cert },
    })
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-crash-'))
    dirs.push(dir)
    const appFile = join(dir, 'app.mjs')
    writeFileSync(appFile, PAYMENT_APP(2468))
    const crash = async (service: string, env: Record<string, string>) => {
      const child = spawn(process.execPath, ['--import', '@otelkit/node/register', appFile], {
        cwd: APP_DIR,
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          OTEL_SERVICE_NAME: service,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_CLIENT_KEY: certs.client.keyPath,
          OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: certs.client.certPath,
          OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=crash-tenant',
          OTELKIT_OPS_PORT: '0',
          OTELKIT_OPS_HOST: '127.0.0.1',
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (c) => {
        stderr += c
      })
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      return { code, stderr }
    }
    try {
      const ok = await crash('crash-mtls', { OTEL_EXPORTER_OTLP_CERTIFICATE: certs.ca.certPath })
      expect(ok.code).toBe(1)
      const span = receiver.spans.find((s) => s.service === 'crash-mtls' && s.name === 'uncaught exception')
      expect(span?.attributes['error.type']).toBe('PaymentError')
      const request = receiver.requests.find((r) => r.path === '/v1/traces' && r.status === 200)
      expect(request?.headers['x-tenant']).toBe('crash-tenant')
      expect(receiver.tlsErrors).toEqual([])

      const before = receiver.requests.length
      const bad = await crash('crash-bad-ca', { OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'missing-ca.pem') })
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/OTEL_EXPORTER_OTLP_CERTIFICATE \(otlpCertificate\)=".*missing-ca\.pem"/)
      expect(receiver.requests.length).toBe(before)
      expect(receiver.tlsErrors).toEqual([])
    } finally {
      await receiver.close()
      certs.remove()
    }
  })
})

describe('unhandled rejection', () => {
  it('is exported and the process exits with code 1 (Node’s default --unhandled-rejections=throw)', async () => {
    const outcome = await runApp(
      `
class UpstreamError extends Error { name = 'UpstreamError' }
setTimeout(() => { Promise.reject(new UpstreamError('upstream 503 for order 17')) }, 5)
`,
      'crash-rejection',
    )
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toMatch(/UpstreamError: upstream 503 for order 17/)
    const span = exportedSpan('crash-rejection')?.span
    expect(span?.name).toBe('unhandled rejection')
    expect(attr(span?.attributes, 'error.category')).toBe('unhandled')
    expect(attr(span?.attributes, 'error.type')).toBe('UpstreamError')
  })

  it('is left alone under --unhandled-rejections=warn: the process lives on', async () => {
    const outcome = await runApp(
      `
setTimeout(() => { Promise.reject(new Error('ignored 1')) }, 5)
setTimeout(() => { console.log('alive') }, 50)
`,
      'crash-warn',
      { NODE_OPTIONS: '--unhandled-rejections=warn' },
    )
    expect(outcome.code).toBe(0)
    expect(outcome.stdout).toBe('alive\n')
    expect(exportedSpan('crash-warn')).toBeUndefined()
  })
})
