/**
 * `/debug/pprof/profile?seconds=N`: a CPU profile of N seconds (default 10, capped at
 * `profileMaxSeconds`) as gzipped pprof. One at a time: a concurrent request gets 409.
 */
import type { OpsHandler } from '../ops/routes.js'
import { DEFAULT_PROFILE_SECONDS, type ProfilingOptions } from './options.js'
import { annotate, loadPprof } from './pprof.js'
import { secondsParam, sendProfile, sendText } from './respond.js'

export function cpuProfileHandler(serviceName: string, options: ProfilingOptions): OpsHandler {
  let busy = false
  return async (_req, res, url) => {
    const requested = secondsParam(url, DEFAULT_PROFILE_SECONDS)
    if (requested === undefined) {
      sendText(res, 400, 'seconds must be a positive integer')
      return
    }
    if (busy) {
      sendText(res, 409, 'a CPU profile is already in progress; retry when it has finished')
      return
    }
    busy = true
    try {
      const pprof = await loadPprof(options.profiler)
      const seconds = Math.min(requested, options.profileMaxSeconds)
      const start = new Date()
      const profile = await pprof.time.profile({ durationMillis: seconds * 1000 })
      const meta = {
        service: serviceName,
        'profile-type': 'cpu',
        profiler: pprof.name,
        'profile-start': start.toISOString(),
        'profile-duration-ms': String(Date.now() - start.getTime()),
        'profile-seconds': String(seconds),
      }
      annotate(profile, meta)
      const body = await pprof.encode(profile)
      sendProfile(res, body, `cpu-${serviceName}-${start.toISOString().replace(/[:.]/g, '-')}.pb.gz`, meta)
    } finally {
      busy = false
    }
  }
}
