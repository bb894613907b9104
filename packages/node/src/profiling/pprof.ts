/**
 * The profiler behind the routes, loaded on the first profile request, never at start-up:
 * `@datadog/pprof` (native, prebuilt for linux/darwin/win32 on x64 and arm64), or, when it
 * cannot load, V8's profilers through `node:inspector` converted to pprof (see inspector.ts).
 */
import type { Profile } from 'pprof-format'
import { log } from '../logger.js'
import { inspectorProfiler } from './inspector.js'
import type { ProfilerChoice } from './options.js'

export interface PprofModule {
  /** Which implementation: `datadog` or `inspector` (sent as `x-otelkit-profiler`). */
  name: string
  time: { profile(options: { durationMillis: number }): Promise<Profile> }
  heap: {
    start(intervalBytes: number, stackDepth: number): void | Promise<void>
    profile(): Profile | Promise<Profile>
    stop(): void | Promise<void>
  }
  encode(profile: Profile): Promise<Buffer>
}

let native: Promise<PprofModule> | undefined
let fallback: PprofModule | undefined

function inspector(): PprofModule {
  fallback ??= inspectorProfiler()
  return fallback
}

async function load(): Promise<PprofModule> {
  try {
    const mod = (await import('@datadog/pprof')) as unknown as { default?: Omit<PprofModule, 'name'> }
    const native = (mod.default ?? mod) as Omit<PprofModule, 'name'>
    return { name: 'datadog', time: native.time, heap: native.heap, encode: native.encode }
  } catch (error) {
    log.warn(
      `@datadog/pprof could not load (${(error as Error)?.message ?? String(error)}); profiling falls back to node:inspector`,
    )
    return inspector()
  }
}

/** The profiler to use: `auto` tries `@datadog/pprof` first, `inspector` skips it. */
export function loadPprof(choice: ProfilerChoice = 'auto'): Promise<PprofModule> {
  if (choice === 'inspector') return Promise.resolve(inspector())
  native ??= load()
  return native
}

/** Adds otelkit's metadata to a profile as pprof comments (`go tool pprof -comments`). */
export function annotate(profile: Profile, meta: Record<string, string | number>): void {
  for (const [key, value] of Object.entries(meta)) {
    profile.comment.push(profile.stringTable.dedup(`${key}=${value}`))
  }
}
