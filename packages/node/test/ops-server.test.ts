/**
 * The ops server and the /metrics writer against misbehaving clients, in process over real
 * sockets: connection and pipelining limits, header timeouts, back-pressure, shared renders.
 */
import type { Socket } from 'node:net'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { createSdkInstruments, type SdkInstruments } from '../src/metrics/instruments.js'
import { PrometheusPullReader } from '../src/metrics/prometheus-reader.js'
import { registerOpsRoute, unregisterOpsRoute } from '../src/ops/routes.js'
import {
  OPS_SERVER_LIMITS,
  type OpsServerOptions,
  type RunningOpsServer,
  startOpsServer,
} from '../src/ops/server.js'
import { rawGet, silentClients, unfinishedHeaders } from './support/hostile-clients.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function opsServer(options: Partial<OpsServerOptions> = {}) {
  const running: RunningOpsServer = startOpsServer({
    port: 0,
    host: '127.0.0.1',
    debugToken: undefined,
    ...options,
  })
  cleanups.push(() => running.close())
  const serverSockets = new Set<Socket>()
  running.server.on('connection', (socket: Socket) => {
    serverSockets.add(socket)
    socket.once('close', () => serverSockets.delete(socket))
  })
  for (let i = 0; i < 100 && running.port === undefined; i++) await new Promise((r) => setTimeout(r, 10))
  return { running, port: running.port as number, serverSockets }
}

/** Every per-request histogram at its 2,000-series cap: a /metrics of tens of megabytes. */
function instrumentsAtCaps(): SdkInstruments {
  const instruments = createSdkInstruments('test')
  for (let i = 0; i < 2000; i++) {
    const route = `/api/v1/things/:id/r${i % 100}`
    const status = 200 + Math.floor(i / 100)
    instruments.httpServerDuration.record(`s${i}`, 0.01 * (i % 40), () => ({
      'http.request.method': 'GET',
      'http.response.status_code': status,
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.route': route,
    }))
    instruments.httpClientDuration.record(`c${i}`, 0.02, () => ({
      'http.request.method': 'GET',
      'server.address': `host-${i % 100}.example`,
      'server.port': 443,
      'http.response.status_code': status,
    }))
    instruments.dbClientDuration.record(`d${i}`, 0.003, () => ({
      'db.system.name': 'postgresql',
      'db.operation.name': `OP${Math.floor(i / 100)}`,
      'db.collection.name': `table_${i % 100}`,
    }))
  }
  return instruments
}

function pullReader(options: { cacheMs: number; atCaps?: boolean }) {
  const instruments = options.atCaps === false ? createSdkInstruments('test') : instrumentsAtCaps()
  if (options.atCaps === false)
    instruments.httpServerDuration.record('k', 0.1, () => ({ 'http.route': '/x' }))
  const renders: number[] = []
  const reader = new PrometheusPullReader([instruments.producer], {
    cacheMs: options.cacheMs,
    onRender: (_seconds, bytes) => renders.push(bytes),
  })
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'ops-test' }),
    readers: [reader],
  })
  registerOpsRoute('/metrics', reader.handler)
  cleanups.push(() => provider.shutdown())
  cleanups.push(() => unregisterOpsRoute('/metrics'))
  return { reader, renders }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('ops server limits', () => {
  it('caps connections and sets header, request and keep-alive timeouts by default', async () => {
    const { running } = await opsServer()
    expect(running.server.maxConnections).toBe(OPS_SERVER_LIMITS.maxConnections)
    expect(running.server.headersTimeout).toBe(10_000)
    expect(running.server.requestTimeout).toBe(15_000)
    expect(running.server.keepAliveTimeout).toBe(65_000)
  })

  it('closes a connection whose headers do not arrive in time', async () => {
    const { port } = await opsServer({ headersTimeoutMs: 300, requestTimeoutMs: 300 })
    const clients = await unfinishedHeaders(port, 3)
    cleanups.push(() => clients.destroy())
    await clients.waitClosed(3, 3000)
  })

  it('closes connections past maxConnections at once', async () => {
    const { port, serverSockets } = await opsServer({ maxConnections: 3 })
    const clients = await unfinishedHeaders(port, 6)
    cleanups.push(() => clients.destroy())
    await clients.waitClosed(3, 2000)
    await sleep(100)
    expect(clients.closed()).toBe(3)
    expect(serverSockets.size).toBe(3)
  })

  it('closes a connection that pipelines more unanswered requests than allowed', async () => {
    registerOpsRoute('/hang', () => new Promise(() => {}))
    cleanups.push(() => unregisterOpsRoute('/hang'))
    const { port } = await opsServer({ maxPipelinedRequests: 4 })
    const { connect } = await import('node:net')
    const socket = connect({ host: '127.0.0.1', port })
    cleanups.push(() => socket.destroy())
    socket.on('error', () => {})
    socket.resume()
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write(rawGet('/hang').repeat(50))
    await expect(Promise.race([closed.then(() => 'closed'), sleep(3000).then(() => 'open')])).resolves.toBe(
      'closed',
    )
  })
})

describe('/metrics under clients that never read', () => {
  it('shares one render and holds no copy of the body per socket', async () => {
    const { renders } = pullReader({ cacheMs: 0 })
    const { port, serverSockets } = await opsServer()
    const clients = await silentClients(port, 20, rawGet('/metrics'))
    cleanups.push(() => clients.destroy())
    for (let i = 0; i < 100 && renders.length === 0; i++) await sleep(20)
    await sleep(300)
    const bodyBytes = renders[0] as number
    expect(bodyBytes).toBeGreaterThan(20_000_000)
    // One render for 20 concurrent scrapes (a scrape arriving during it waits for it).
    expect(renders.length).toBe(1)
    // Each stalled socket holds at most a slice of the shared body, not the rest of it.
    expect(serverSockets.size).toBe(20)
    for (const socket of serverSockets) expect(socket.writableLength).toBeLessThanOrEqual(256 * 1024)
  })

  it('gives each format one shared render: OpenMetrics and text scrapers that never read', async () => {
    const { renders } = pullReader({ cacheMs: 0 })
    const { port, serverSockets } = await opsServer()
    const om = rawGet('/metrics', { accept: 'application/openmetrics-text;version=1.0.0' })
    const clients = [await silentClients(port, 10, om), await silentClients(port, 10, rawGet('/metrics'))]
    cleanups.push(() => clients.map((c) => c.destroy()))
    for (let i = 0; i < 200 && renders.length < 2; i++) await sleep(20)
    await sleep(300)
    // One render per format for 20 concurrent scrapes; OpenMetrics (with _created) is the larger.
    expect(renders.length).toBe(2)
    expect(Math.max(...renders)).toBeGreaterThan(Math.min(...renders))
    expect(serverSockets.size).toBe(20)
    for (const socket of serverSockets) expect(socket.writableLength).toBeLessThanOrEqual(256 * 1024)
  })

  it('pipelined scrapes that are never read cost neither renders nor copies', async () => {
    const { renders } = pullReader({ cacheMs: 0 })
    const { port, serverSockets } = await opsServer()
    const clients = await silentClients(port, 5, rawGet('/metrics').repeat(100))
    cleanups.push(() => clients.destroy())
    await sleep(1500)
    // Past 8 unanswered requests a connection is closed; the rest wait behind the first answer.
    expect(renders.length).toBeLessThanOrEqual(2)
    for (const socket of serverSockets) expect(socket.writableLength).toBeLessThanOrEqual(256 * 1024)
  })

  it('serves a render again within cacheMs, and renders anew after it', async () => {
    const { renders } = pullReader({ cacheMs: 400, atCaps: false })
    const { port } = await opsServer()
    const url = `http://127.0.0.1:${port}/metrics`
    const first = await (await fetch(url)).text()
    const second = await (await fetch(url)).text()
    expect(renders.length).toBe(1)
    expect(second).toBe(first)
    expect(first).toContain('http_server_request_duration_seconds_bucket{')
    expect(Buffer.byteLength(first)).toBe(renders[0])
    await sleep(450)
    await (await fetch(url)).text()
    expect(renders.length).toBe(2)
  })

  it('caches each format on its own: a text scrape never gets an OpenMetrics render', async () => {
    const { renders } = pullReader({ cacheMs: 60_000, atCaps: false })
    const { port } = await opsServer()
    const url = `http://127.0.0.1:${port}/metrics`
    const accept = { accept: 'application/openmetrics-text;version=1.0.0' }
    const om = await fetch(url, { headers: accept })
    const omText = await om.text()
    const text = await (await fetch(url)).text()
    const omAgain = await (await fetch(url, { headers: accept })).text()
    expect(renders.length).toBe(2)
    expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    expect(omText.endsWith('# EOF\n')).toBe(true)
    expect(text).not.toContain('# EOF')
    expect(omAgain).toBe(omText)
  })

  it('stops making new renders while two are still held by clients that do not read', async () => {
    const { renders } = pullReader({ cacheMs: 0 })
    const { port } = await opsServer()
    const waitRenders = async (n: number) => {
      for (let i = 0; i < 200 && renders.length < n; i++) await sleep(20)
    }
    const a = await silentClients(port, 1, rawGet('/metrics'))
    await waitRenders(1)
    const b = await silentClients(port, 1, rawGet('/metrics'))
    await waitRenders(2)
    const c = await silentClients(port, 3, rawGet('/metrics'))
    cleanups.push(() => [a, b, c].map((x) => x.destroy()))
    await sleep(800)
    expect(renders.length).toBe(2)
    // A reading client still gets a complete text (the latest render, served again).
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    expect(Buffer.byteLength(text)).toBe(renders[1])
  })
})
