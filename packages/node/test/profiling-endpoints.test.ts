/**
 * Profiling endpoints on a real ops server (port 0): token required, CPU profile contains a known
 * hot function, heap profile decodes, one CPU profile at a time, seconds capped, heap snapshot
 * behind its flag.
 */
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningOpsServer, startOpsServer } from '../src/ops/server.js'
import { profilingFeature } from '../src/profiling/index.js'
import type { SdkContext } from '../src/sdk/context.js'

const TOKEN = 'profiling-test-token'
const auth = { authorization: `Bearer ${TOKEN}` }

function fakeContext(extra: Record<string, unknown> = {}): SdkContext & { hooks: Array<() => unknown> } {
  const hooks: Array<() => unknown> = []
  return {
    hooks,
    config: { serviceName: 'profiled-svc', profileMaxSeconds: 1, ...extra } as never,
    meterProvider: undefined as never,
    meter: undefined as never,
    telemetryDropped: undefined as never,
    addSpanProcessor() {},
    onShutdown(hook) {
      hooks.push(hook)
    },
  }
}

async function listening(ops: RunningOpsServer): Promise<string> {
  for (let i = 0; i < 200 && ops.port === undefined; i++) await new Promise((r) => setTimeout(r, 10))
  return `http://127.0.0.1:${ops.port}`
}

/** The function the CPU profile must show: pure arithmetic for `ms` milliseconds. */
function otelkitBurnCpuMarker(ms: number): number {
  const end = performance.now() + ms
  let x = 0
  while (performance.now() < end) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i)
  return x
}

function decode(body: Buffer): Profile {
  expect(body[0]).toBe(0x1f)
  expect(body[1]).toBe(0x8b)
  return Profile.decode(gunzipSync(body))
}

function strings(profile: Profile): string[] {
  return profile.stringTable.strings
}

describe('profiling endpoints', () => {
  let withToken: RunningOpsServer
  let withoutToken: RunningOpsServer
  let base: string
  let baseNoToken: string
  const ctx = fakeContext()

  beforeAll(async () => {
    profilingFeature.install(ctx)
    withToken = startOpsServer({ port: 0, host: '127.0.0.1', debugToken: TOKEN })
    withoutToken = startOpsServer({ port: 0, host: '127.0.0.1', debugToken: undefined })
    base = await listening(withToken)
    baseNoToken = await listening(withoutToken)
  })

  afterAll(async () => {
    for (const hook of ctx.hooks) await hook()
    await withToken.close()
    await withoutToken.close()
  })

  it('answers 401 without a token and with a wrong one, 404 when no token is configured', async () => {
    for (const path of ['/debug/pprof/profile?seconds=1', '/debug/pprof/heap']) {
      expect((await fetch(`${base}${path}`)).status).toBe(401)
      expect((await fetch(`${base}${path}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
      expect((await fetch(`${baseNoToken}${path}`, { headers: auth })).status).toBe(404)
    }
  })

  it('takes a CPU profile that contains the function burning CPU, with metadata', async () => {
    const timer = setInterval(() => otelkitBurnCpuMarker(15), 20)
    try {
      const res = await fetch(`${base}/debug/pprof/profile?seconds=1`, { headers: auth })
      expect(res.status).toBe(200)
      expect(res.headers.get('x-otelkit-service')).toBe('profiled-svc')
      // @datadog/pprof loads here (its prebuilt binary for this platform), not the fallback.
      expect(res.headers.get('x-otelkit-profiler')).toBe('datadog')
      expect(res.headers.get('x-otelkit-profile-seconds')).toBe('1')
      const profile = decode(Buffer.from(await res.arrayBuffer()))
      const names = strings(profile)
      expect(names).toContain('otelkitBurnCpuMarker')
      const comments = profile.comment.map((i) => names[Number(i)])
      expect(comments).toContain('service=profiled-svc')
      expect(comments.some((c) => c?.startsWith('profile-start='))).toBe(true)
      expect(profile.sample.length).toBeGreaterThan(0)
    } finally {
      clearInterval(timer)
    }
  })

  it('answers 409 to a second CPU profile while one runs', async () => {
    const first = fetch(`${base}/debug/pprof/profile?seconds=1`, { headers: auth })
    await new Promise((r) => setTimeout(r, 100))
    const second = await fetch(`${base}/debug/pprof/profile?seconds=1`, { headers: auth })
    expect(second.status).toBe(409)
    expect((await first).status).toBe(200)
  })

  it('caps seconds at the maximum and rejects a malformed value', async () => {
    const res = await fetch(`${base}/debug/pprof/profile?seconds=3600`, { headers: auth })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-otelkit-profile-seconds')).toBe('1')
    await res.arrayBuffer()
    expect((await fetch(`${base}/debug/pprof/profile?seconds=abc`, { headers: auth })).status).toBe(400)
  })

  it('serves a heap profile that decodes, with space and object sample types', async () => {
    const keep: unknown[] = []
    const res0 = await fetch(`${base}/debug/pprof/heap`, { headers: auth })
    await res0.arrayBuffer()
    for (let i = 0; i < 20_000; i++) keep.push({ i, text: `allocation ${i}` })
    const res = await fetch(`${base}/debug/pprof/heap`, { headers: auth })
    expect(res.status).toBe(200)
    const profile = decode(Buffer.from(await res.arrayBuffer()))
    const names = strings(profile)
    const types = profile.sampleType.map((t) => names[Number(t.type)])
    expect(types).toEqual(expect.arrayContaining(['inuse_objects', 'inuse_space']))
    expect(profile.sample.length).toBeGreaterThan(0)
    expect(keep.length).toBe(20_000)
  })

  it('serves a heap snapshot only when enabled', async () => {
    expect((await fetch(`${base}/debug/heapsnapshot`, { headers: auth })).status).toBe(404)
    const enabled = fakeContext({ heapSnapshot: true })
    profilingFeature.install(enabled)
    try {
      const res = await fetch(`${base}/debug/heapsnapshot`, { headers: auth })
      expect(res.status).toBe(200)
      const snapshot = JSON.parse(await res.text()) as { snapshot: { node_count: number } }
      expect(snapshot.snapshot.node_count).toBeGreaterThan(0)
    } finally {
      for (const hook of enabled.hooks) await hook()
      profilingFeature.install(ctx)
    }
  })
})
