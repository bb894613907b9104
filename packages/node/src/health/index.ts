/**
 * Public health API: `health.register/unregister/status/check/readiness`, the built-in checks
 * under `health.checks`, handlers for the application's own server, and the SDK feature.
 */
import { checks } from './checks/index.js'
import { globalRegistry } from './global.js'
import { liveness, readiness } from './routes.js'
import type { HealthCheck, HealthReport, RegisterOptions } from './types.js'

export const health = {
  /** Registers a named check; throws `OTELKIT_HEALTH_CHECK_INVALID` on a bad name, function or option. */
  register(name: string, check: HealthCheck, options?: RegisterOptions): void {
    globalRegistry().register(name, check, options)
  },
  /** Removes a check (and closes it); returns whether it existed. */
  unregister(name: string): boolean {
    return globalRegistry().unregister(name)
  },
  /** The last aggregated result, without running any check. */
  status(): HealthReport {
    return globalRegistry().status()
  },
  /** Runs the checks (coalesced: at most one run per check per second) and returns the aggregate. */
  check(): Promise<HealthReport> {
    return globalRegistry().check()
  },
  /** `/readyz` as data: `{ statusCode: 200 | 503, body }`, for any framework. */
  readiness: () => readiness(),
  /** `/healthz` as data. */
  liveness,
  checks,
}

export type * from './checks/index.js'
export { healthFeature } from './feature.js'
export type { ProbeResponse } from './routes.js'
export { healthRoutes } from './routes.js'
export type {
  CheckOutcome,
  CheckState,
  CheckStatus,
  HealthCheck,
  HealthReport,
  HealthStatus,
  RegisterOptions,
} from './types.js'
