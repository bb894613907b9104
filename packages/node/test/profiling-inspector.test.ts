/**
 * The fallback profiler (node:inspector + conversion to pprof) used when @datadog/pprof cannot
 * load: its CPU profile names the function burning CPU and its heap profile the function that
 * allocated, both as gzipped pprof that pprof-format decodes.
 */
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { describe, expect, it } from 'vitest'
import { inspectorProfiler } from '../src/profiling/inspector.js'

function otelkitInspectorBurnMarker(ms: number): number {
  const end = performance.now() + ms
  let x = 0
  while (performance.now() < end) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i)
  return x
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
    const timer = setInterval(() => otelkitInspectorBurnMarker(15), 20)
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
