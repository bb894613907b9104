/**
 * `/debug/pprof/heap`: the sampling heap profile (live objects sampled about every
 * `heapSamplingIntervalBytes` allocated) as gzipped pprof. The sampler starts on the first
 * request and then keeps running, so later profiles cover everything allocated since; with
 * `?seconds=N` the response waits N seconds (capped) before taking the profile.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { OpsHandler } from '../ops/routes.js'
import type { ProfilingOptions } from './options.js'
import { annotate, loadPprof } from './pprof.js'
import { secondsParam, sendProfile, sendText } from './respond.js'

const STACK_DEPTH = 64

export interface HeapProfileRoute {
  handler: OpsHandler
  /** Stops the heap sampler if a request started it (on SDK shutdown). */
  stop(): Promise<void>
}

export function heapProfileRoute(serviceName: string, options: ProfilingOptions): HeapProfileRoute {
  let samplingSince: Date | undefined
  const stop = async () => {
    if (!samplingSince) return
    samplingSince = undefined
    await (await loadPprof(options.profiler)).heap.stop()
  }
  const handler: OpsHandler = async (_req, res, url) => {
    const seconds = secondsParam(url, 0)
    if (seconds === undefined && url.searchParams.get('seconds') !== '0') {
      sendText(res, 400, 'seconds must be a non-negative integer')
      return
    }
    const pprof = await loadPprof(options.profiler)
    if (!samplingSince) {
      await pprof.heap.start(options.heapSamplingIntervalBytes, STACK_DEPTH)
      samplingSince = new Date()
    }
    const wait = Math.min(seconds ?? 0, options.profileMaxSeconds)
    if (wait > 0) await sleep(wait * 1000)
    const profile = await pprof.heap.profile()
    const taken = new Date()
    const meta = {
      service: serviceName,
      'profile-type': 'heap',
      profiler: pprof.name,
      'profile-start': samplingSince.toISOString(),
      'profile-duration-ms': String(taken.getTime() - samplingSince.getTime()),
      'sampling-interval-bytes': String(options.heapSamplingIntervalBytes),
    }
    annotate(profile, meta)
    const body = await pprof.encode(profile)
    sendProfile(res, body, `heap-${serviceName}-${taken.toISOString().replace(/[:.]/g, '-')}.pb.gz`, meta)
  }
  return { handler, stop }
}
