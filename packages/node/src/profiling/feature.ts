/**
 * The profiling feature: mounts the debug routes on the ops server. The ops server serves them
 * only when `OTELKIT_DEBUG_TOKEN` is set and the request carries it; `@datadog/pprof` is loaded
 * on the first profile request, so start-up pays nothing for it.
 */
import { registerOpsRoute, unregisterOpsRoute } from '../ops/routes.js'
import type { Feature, SdkContext } from '../sdk/context.js'
import { cpuProfileHandler } from './cpu.js'
import { heapProfileRoute } from './heap.js'
import { resolveProfilingOptions } from './options.js'
import { heapSnapshotHandler } from './snapshot.js'

export const PROFILING_ROUTES = {
  cpu: '/debug/pprof/profile',
  heap: '/debug/pprof/heap',
  heapSnapshot: '/debug/heapsnapshot',
} as const

export const profilingFeature: Feature = {
  name: 'profiling',
  install(ctx: SdkContext) {
    const options = resolveProfilingOptions(ctx.config)
    const service = ctx.config.serviceName
    registerOpsRoute(PROFILING_ROUTES.cpu, cpuProfileHandler(service, options), { debug: true })
    const heap = heapProfileRoute(service, options)
    registerOpsRoute(PROFILING_ROUTES.heap, heap.handler, { debug: true })
    if (options.heapSnapshot) {
      registerOpsRoute(PROFILING_ROUTES.heapSnapshot, heapSnapshotHandler(service), { debug: true })
    }
    ctx.onShutdown(async () => {
      for (const path of Object.values(PROFILING_ROUTES)) unregisterOpsRoute(path)
      await heap.stop()
    })
  },
}
