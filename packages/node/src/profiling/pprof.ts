/**
 * Lazy access to `@datadog/pprof` (native, prebuilt for linux/darwin/win32 x64 and arm64): it is
 * imported on the first profile request, never at start-up. When it cannot load, profiling
 * answers 501 with the reason instead of taking the service down.
 */
import type { Profile } from 'pprof-format'
import { log } from '../logger.js'

export interface PprofModule {
  time: { profile(options: { durationMillis: number }): Promise<Profile> }
  heap: { start(intervalBytes: number, stackDepth: number): void; profile(): Profile }
  encode(profile: Profile): Promise<Buffer>
}

let loading: Promise<PprofModule> | undefined

export function loadPprof(): Promise<PprofModule> {
  loading ??= import('@datadog/pprof').then(
    (mod) => ((mod as unknown as { default?: PprofModule }).default ?? mod) as unknown as PprofModule,
    (error: unknown) => {
      loading = undefined
      log.warn(
        `profiling unavailable: @datadog/pprof could not load: ${(error as Error)?.message ?? String(error)}`,
      )
      throw error
    },
  )
  return loading
}

/** Adds otelkit's metadata to a profile as pprof comments (`go tool pprof -comments`). */
export function annotate(profile: Profile, meta: Record<string, string | number>): void {
  for (const [key, value] of Object.entries(meta)) {
    profile.comment.push(profile.stringTable.dedup(`${key}=${value}`))
  }
}
