/**
 * Aggregation of check states into one service status: any critical check down -> `down`;
 * any other check down or degraded -> `degraded`; otherwise `up`. Checks that never ran are
 * left out; a service without checks is `up`.
 */
import type { CheckState, HealthStatus } from './types.js'

export function aggregate(states: Iterable<Pick<CheckState, 'status' | 'critical'>>): HealthStatus {
  let result: HealthStatus = 'up'
  for (const { status, critical } of states) {
    if (status === 'down' && critical) return 'down'
    if (status === 'down' || status === 'degraded') result = 'degraded'
  }
  return result
}

/** Value of `otelkit.health.status`: 1 up, 0.5 degraded, 0 down. */
export function statusValue(status: HealthStatus): number {
  return status === 'up' ? 1 : status === 'degraded' ? 0.5 : 0
}
