/**
 * Profiling options, from the resolved config (`ctx.config`): the config module reads their
 * environment variables with all the others (config/variables.ts), never this one.
 */
import { DEFAULTS } from '../config/defaults.js'
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

/** The SDK's defaults (config/defaults.ts), the one place they are stated. */
export const PROFILING_DEFAULTS: ProfilingOptions = {
  profileMaxSeconds: DEFAULTS.profileMaxSeconds,
  heapSnapshot: DEFAULTS.heapSnapshot,
  heapSamplingIntervalBytes: DEFAULTS.heapSamplingIntervalBytes,
  profiler: DEFAULTS.profiler,
}

/**
 * The profiling options from the resolved config (its environment variables are read once, by
 * the config module); a field the config lacks (a hand-made context) takes its default.
 */
export function resolveProfilingOptions(
  config: Partial<ResolvedConfig> & Partial<ProfilingOptions>,
): ProfilingOptions {
  return {
    profileMaxSeconds: config.profileMaxSeconds ?? PROFILING_DEFAULTS.profileMaxSeconds,
    heapSnapshot: config.heapSnapshot ?? PROFILING_DEFAULTS.heapSnapshot,
    heapSamplingIntervalBytes:
      config.heapSamplingIntervalBytes ?? PROFILING_DEFAULTS.heapSamplingIntervalBytes,
    profiler: config.profiler ?? PROFILING_DEFAULTS.profiler,
  }
}
