/**
 * The health feature: registers the declarative checks of `healthChecks`, the health metrics,
 * `/healthz` and `/readyz` on the ops server, and runs the checks in the background every
 * `healthIntervalMs`. On shutdown `/readyz` answers 503 and every check is closed.
 */
import { log } from '../logger.js'
import { registerOpsRoute } from '../ops/routes.js'
import type { Feature, SdkContext } from '../sdk/context.js'
import { parseHealthChecks } from './declarative.js'
import { globalRegistry } from './global.js'
import { registerHealthMetrics } from './metrics.js'
import type { HealthRegistry } from './registry.js'
import { livenessHandler, readinessHandler } from './routes.js'

export const healthFeature: Feature = {
  name: 'health',
  install(ctx: SdkContext): void {
    const registry = globalRegistry()
    const declared = parseHealthChecks(ctx.config.healthChecks ?? '')
    for (const problem of declared.problems) log.warn(problem)
    const mine: string[] = []
    for (const { name, critical, check } of declared.checks) {
      if (registry.has(name)) {
        log.warn(
          `OTELKIT_HEALTH_CHECKS entry "${name}" skipped: a check with this name is already registered`,
        )
        continue
      }
      registry.register(name, check, { critical })
      mine.push(name)
    }
    const removeMetrics = registerHealthMetrics(ctx.meter, registry)
    const stopLogging = logTransitions(registry)
    registerOpsRoute('/healthz', livenessHandler)
    registerOpsRoute('/readyz', readinessHandler(registry))
    registry.start(ctx.config.healthIntervalMs)
    ctx.onShutdown(async () => {
      removeMetrics()
      stopLogging()
      await registry.stop()
      for (const name of mine) registry.unregister(name)
    })
  },
}

/** One line when a check changes status (not on every run): down/degraded as warn, recovery as info. */
function logTransitions(registry: HealthRegistry): () => void {
  const last = new Map<string, string>()
  return registry.onRun((name, state) => {
    const previous = last.get(name)
    last.set(name, state.status)
    if (previous === state.status) return
    if (state.status === 'up') {
      if (previous !== undefined) log.info(`health check "${name}" is up again`)
      return
    }
    const kind = state.critical ? 'critical health check' : 'health check'
    log.warn(`${kind} "${name}" is ${state.status}: ${state.lastError ?? 'no reason given'}`)
  })
}
