/**
 * The fallback profiler (node:inspector + conversion to pprof) used when @datadog/pprof cannot
 * load, or always with `profiler: 'inspector'`: its CPU profile names the function burning CPU
 * and its heap profile the function that allocated, both as gzipped pprof that pprof-format
 * decodes, directly and through the ops server's endpoints.
 */
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningOpsServer, startOpsServer } from '../src/ops/server.js'
import { profilingFeature } from '../src/profiling/index.js'
import { inspectorProfiler } from '../src/profiling/inspector.js'
import type { SdkContext } from '../src/sdk/context.js'

/**
 * Eight distinct functions named `otelkitInspectorBurnMarker`, each burning `ms` of CPU. The
 * inspector's CPU profile has no frame for a function inlined into its caller, and V8 inlines a
 * call site that only ever sees one or a few functions; rotating through eight makes the site
 * megamorphic, so the marker always keeps a frame of its own.
 */
const burnMarkers = Array.from(
  { length: 8 },
  (_, i) =>
    new Function(`// variant ${i}
      return function otelkitInspectorBurnMarker(ms) {
        const end = performance.now() + ms
        let x = 0
        while (performance.now() < end) for (let i = 0; i < 10000; i++) x += Math.sqrt(i)
        return x
      }`)() as (ms: number) => number,
)
let burns = 0
function burnInMarker(ms: number): number {
  return burnMarkers[burns++ % burnMarkers.length]!(ms)
}

const retained: unknown[] = []
function otelkitInspectorAllocMarker(n: number): void {
  for (let i = 0; i < n; i++) retained.push({ i, payload: `value ${i}`.repeat(4) })
}

async function roundTrip(profiler: ReturnType<typeof inspectorProfiler>, profile: Profile): Promise<Profile> {
  const body = await profiler.encode(profile)
  expect(body[0]).toBe(0x1f)
  return Profile.decode(gunzipSync(body))
}

describe('inspector fallback profiler', () => {
  it('CPU profile: wall time per stack, the hot function named', async () => {
    const profiler = inspectorProfiler()
    expect(profiler.name).toBe('inspector')
    const timer = setInterval(burnInMarker, 20, 15)
    const profile = await profiler.time.profile({ durationMillis: 600 }).finally(() => clearInterval(timer))
    const decoded = await roundTrip(profiler, profile)
    const names = decoded.stringTable.strings
    expect(decoded.sampleType.map((t) => `${names[Number(t.type)]}/${names[Number(t.unit)]}`)).toEqual([
      'sample/count',
      'wall/nanoseconds',
    ])
    expect(names).toContain('otelkitInspectorBurnMarker')
    const fnId = decoded.function.find((f) => names[Number(f.name)] === 'otelkitInspectorBurnMarker')!.id
    const locIds = new Set(
      decoded.location.filter((l) => l.line.some((line) => line.functionId === fnId)).map((l) => l.id),
    )
    const hot = decoded.sample.filter((s) => s.locationId.some((id) => locIds.has(id)))
    const hotCount = hot.reduce((sum, s) => sum + Number(s.value[0]), 0)
    const total = decoded.sample.reduce((sum, s) => sum + Number(s.value[0]), 0)
    expect(hotCount / total).toBeGreaterThan(0.3)
    expect(Number(decoded.durationNanos)).toBeGreaterThan(500_000_000)
  })

  it('heap profile: live allocations attributed to the allocating function', async () => {
    const profiler = inspectorProfiler()
    await profiler.heap.start(16 * 1024, 64)
    otelkitInspectorAllocMarker(50_000)
    const decoded = await roundTrip(profiler, await profiler.heap.profile())
    const names = decoded.stringTable.strings
    expect(decoded.sampleType.map((t) => names[Number(t.type)])).toEqual(['inuse_objects', 'inuse_space'])
    expect(names).toContain('otelkitInspectorAllocMarker')
    expect(decoded.sample.every((s) => Number(s.value[1]) > 0)).toBe(true)
    expect(retained.length).toBe(50_000)
  })
})

describe('profiling endpoints with profiler: inspector', () => {
  const TOKEN = 'inspector-token'
  const auth = { authorization: `Bearer ${TOKEN}` }
  const hooks: Array<() => unknown> = []
  let ops: RunningOpsServer
  let base: string

  beforeAll(async () => {
    const ctx: SdkContext = {
      config: { serviceName: 'inspected', profiler: 'inspector', profileMaxSeconds: 1 } as never,
      meterProvider: undefined as never,
      meter: undefined as never,
      telemetryDropped: undefined as never,
      addSpanProcessor() {},
      onShutdown: (hook) => void hooks.push(hook),
    }
    profilingFeature.install(ctx)
    ops = startOpsServer({ port: 0, host: '127.0.0.1', debugToken: TOKEN })
    for (let i = 0; i < 200 && ops.port === undefined; i++) await new Promise((r) => setTimeout(r, 10))
    base = `http://127.0.0.1:${ops.port}`
  })

  afterAll(async () => {
    for (const hook of hooks) await hook()
    await ops.close()
  })

  it('serves CPU and heap profiles from node:inspector', async () => {
    const timer = setInterval(burnInMarker, 20, 15)
    const cpu = await fetch(`${base}/debug/pprof/profile?seconds=5`, { headers: auth }).finally(() =>
      clearInterval(timer),
    )
    expect(cpu.status).toBe(200)
    expect(cpu.headers.get('x-otelkit-profiler')).toBe('inspector')
    expect(cpu.headers.get('x-otelkit-profile-seconds')).toBe('1')
    const cpuProfile = Profile.decode(gunzipSync(Buffer.from(await cpu.arrayBuffer())))
    expect(cpuProfile.stringTable.strings).toContain('otelkitInspectorBurnMarker')
    expect(cpuProfile.comment.map((i) => cpuProfile.stringTable.strings[Number(i)])).toContain(
      'profiler=inspector',
    )

    await (await fetch(`${base}/debug/pprof/heap`, { headers: auth })).arrayBuffer()
    otelkitInspectorAllocMarker(20_000)
    const heap = await fetch(`${base}/debug/pprof/heap`, { headers: auth })
    expect(heap.status).toBe(200)
    const heapProfile = Profile.decode(gunzipSync(Buffer.from(await heap.arrayBuffer())))
    expect(heapProfile.stringTable.strings).toContain('otelkitInspectorAllocMarker')
  })
})
