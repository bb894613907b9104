/**
 * Health metrics: `otelkit.health.status` (observable gauge: 1 up, 0.5 degraded, 0 down) per
 * `health.check.name` plus the aggregate under `health.check.name="_overall"`, each with
 * `critical` ("true" for critical checks and for the aggregate, which alerts may page on;
 * "false" for the others), and
 * `otelkit.health.check.duration` (histogram, seconds) recorded on every run.
 */
import type { Meter } from '@opentelemetry/api'
import { statusValue } from './aggregate.js'
import type { HealthRegistry } from './registry.js'

export const OVERALL = '_overall'
export const ATTR_HEALTH_CHECK_NAME = 'health.check.name'
/** "true" on critical checks and the aggregate, "false" on non-critical checks. */
export const ATTR_HEALTH_CHECK_CRITICAL = 'critical'

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** Registers the health instruments; returns a function that removes them. */
export function registerHealthMetrics(meter: Meter, registry: HealthRegistry): () => void {
  const status = meter.createObservableGauge('otelkit.health.status', {
    description:
      'Health of each check and of the service (health.check.name="_overall"): 1 up, 0.5 degraded, 0 down; critical="true" on critical checks and the service.',
  })
  const duration = meter.createHistogram('otelkit.health.check.duration', {
    description: 'Duration of health check runs.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  })
  const callback = (result: { observe(value: number, attributes: Record<string, string>): void }) => {
    const report = registry.status()
    for (const [name, state] of Object.entries(report.checks)) {
      if (state.status === 'unknown') continue
      result.observe(statusValue(state.status), {
        [ATTR_HEALTH_CHECK_CRITICAL]: state.critical ? 'true' : 'false',
        [ATTR_HEALTH_CHECK_NAME]: name,
      })
    }
    result.observe(statusValue(report.status), {
      [ATTR_HEALTH_CHECK_CRITICAL]: 'true',
      [ATTR_HEALTH_CHECK_NAME]: OVERALL,
    })
  }
  status.addCallback(callback)
  const stopListening = registry.onRun((name, state) => {
    if (state.durationMs !== null)
      duration.record(state.durationMs / 1000, { [ATTR_HEALTH_CHECK_NAME]: name })
  })
  return () => {
    status.removeCallback(callback)
    stopListening()
  }
}
