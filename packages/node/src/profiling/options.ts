/**
 * Profiling options, read from `ctx.config` when the config module provides the fields, and
 * from the environment until then (this file is the only place that knows both).
 */
import type { ResolvedConfig } from '../config/resolved.js'

/** Options of the profiling endpoints. */
export interface ProfilingOptions {
  /**
   * Longest CPU profile a request may ask for, in seconds; `seconds` above it is capped.
   * Env `OTELKIT_PROFILE_MAX_SECONDS`.
   * @default 60
   */
  profileMaxSeconds: number
  /**
   * Serve `/debug/heapsnapshot` (a full V8 heap snapshot: it pauses the process for as long as
   * it takes to write, and can be as large as the heap). Env `OTELKIT_HEAP_SNAPSHOT`.
   * @default false
   */
  heapSnapshot: boolean
  /**
   * Average bytes between two samples of the sampling heap profiler.
   * Env `OTELKIT_HEAP_SAMPLING_INTERVAL_BYTES`.
   * @default 524288
   */
  heapSamplingIntervalBytes: number
  /**
   * Which profiler: `auto` uses `@datadog/pprof` and falls back to `node:inspector` when it
   * cannot load; `inspector` always uses `node:inspector` (no native code). Env `OTELKIT_PROFILER`.
   * @default 'auto'
   */
  profiler: ProfilerChoice
}

export type ProfilerChoice = 'auto' | 'inspector'

/** CPU profile length when the request gives no `seconds`. */
export const DEFAULT_PROFILE_SECONDS = 10

export const PROFILING_DEFAULTS: ProfilingOptions = {
  profileMaxSeconds: 60,
  heapSnapshot: false,
  heapSamplingIntervalBytes: 524_288,
  profiler: 'auto',
}

function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const n = Number(raw)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

function envBool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === 'true' || raw === '1') return true
  if (raw === 'false' || raw === '0') return false
  return fallback
}

function envProfiler(env: NodeJS.ProcessEnv): ProfilerChoice {
  const raw = env.OTELKIT_PROFILER?.trim().toLowerCase()
  return raw === 'inspector' ? 'inspector' : PROFILING_DEFAULTS.profiler
}

export function resolveProfilingOptions(
  config: Partial<ResolvedConfig> & Partial<ProfilingOptions>,
  env: NodeJS.ProcessEnv = process.env,
): ProfilingOptions {
  return {
    profileMaxSeconds:
      config.profileMaxSeconds ??
      envInt(env, 'OTELKIT_PROFILE_MAX_SECONDS', PROFILING_DEFAULTS.profileMaxSeconds),
    heapSnapshot:
      config.heapSnapshot ?? envBool(env, 'OTELKIT_HEAP_SNAPSHOT', PROFILING_DEFAULTS.heapSnapshot),
    heapSamplingIntervalBytes:
      config.heapSamplingIntervalBytes ??
      envInt(env, 'OTELKIT_HEAP_SAMPLING_INTERVAL_BYTES', PROFILING_DEFAULTS.heapSamplingIntervalBytes),
    profiler: config.profiler ?? envProfiler(env),
  }
}
