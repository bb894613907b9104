/**
 * The fallback profiler when `@datadog/pprof` cannot load: V8's profilers through
 * `node:inspector` (an in-process session), converted to pprof. Same interface as the native
 * module, so the routes do not care which one runs.
 */
import type { Session } from 'node:inspector/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Profile } from 'pprof-format'
import {
  type CpuProfile,
  cpuProfileToPprof,
  type HeapProfile,
  heapProfileToPprof,
} from './inspector-convert.js'
import type { PprofModule } from './pprof.js'

const CPU_INTERVAL_MICROS = 1000

function gzipAsync(data: Uint8Array): Promise<Buffer> {
  const { gzip } = process.getBuiltinModule('node:zlib')
  return new Promise((resolve, reject) => gzip(data, (error, out) => (error ? reject(error) : resolve(out))))
}

/** node:inspector is loaded on the first profile, not at start-up. */
function newSession(): Session {
  return new (process.getBuiltinModule('node:inspector/promises').Session)()
}

export function inspectorProfiler(): PprofModule {
  let heapSession: Session | undefined
  let heapInterval = 524_288
  return {
    name: 'inspector',
    time: {
      async profile({ durationMillis }) {
        const session = newSession()
        session.connect()
        try {
          await session.post('Profiler.enable')
          await session.post('Profiler.setSamplingInterval', { interval: CPU_INTERVAL_MICROS })
          await session.post('Profiler.start')
          await sleep(durationMillis)
          const { profile } = await session.post('Profiler.stop')
          return cpuProfileToPprof(profile as unknown as CpuProfile, CPU_INTERVAL_MICROS)
        } finally {
          await session.post('Profiler.disable').catch(() => undefined)
          session.disconnect()
        }
      },
    },
    heap: {
      async start(intervalBytes) {
        if (heapSession) return
        heapInterval = intervalBytes
        const session = newSession()
        session.connect()
        await session.post('HeapProfiler.startSampling', { samplingInterval: intervalBytes })
        heapSession = session
      },
      async stop() {
        const session = heapSession
        heapSession = undefined
        if (!session) return
        await session.post('HeapProfiler.stopSampling').catch(() => undefined)
        session.disconnect()
      },
      async profile() {
        if (!heapSession) throw new Error('heap sampling has not started')
        const { profile } = await heapSession.post('HeapProfiler.getSamplingProfile')
        return heapProfileToPprof(profile as unknown as HeapProfile, heapInterval)
      },
    },
    encode: (profile: Profile) => gzipAsync(profile.encode()),
  }
}
