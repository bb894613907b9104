/**
 * Sampling at most once per interval, at collection time. Observable callbacks run when a
 * reader collects (a Prometheus scrape, an OTLP push); wrapped here, a callback invoked again
 * within `intervalMs` replays the observations of its last real run instead of sampling, so
 * host and runtime sources are read at most once per `OTELKIT_RESOURCE_INTERVAL` whatever the
 * scrape rate, and no timer ever wakes an idle process.
 */
import { performance } from 'node:perf_hooks'
import type {
  Attributes,
  BatchObservableCallback,
  BatchObservableResult,
  Observable,
  ObservableCallback,
  ObservableResult,
} from '@opentelemetry/api'

type Recorded = [observable: Observable | undefined, value: number, attributes: Attributes | undefined]

/** Wraps a batch callback so it samples at most once per `intervalMs`. */
export function sampledBatch(callback: BatchObservableCallback, intervalMs: number): BatchObservableCallback {
  let last: { at: number; observations: Recorded[] } | undefined
  return async (result: BatchObservableResult) => {
    const now = performance.now()
    if (last && now - last.at < intervalMs) {
      for (const [observable, value, attributes] of last.observations)
        result.observe(observable!, value, attributes)
      return
    }
    const observations: Recorded[] = []
    await callback({
      observe(observable, value, attributes) {
        observations.push([observable, value, attributes])
        result.observe(observable, value, attributes)
      },
    })
    last = { at: now, observations }
  }
}

/** Wraps a single-instrument callback so it samples at most once per `intervalMs`. */
export function sampled(callback: ObservableCallback, intervalMs: number): ObservableCallback {
  let last: { at: number; observations: Recorded[] } | undefined
  return async (result: ObservableResult) => {
    const now = performance.now()
    if (last && now - last.at < intervalMs) {
      for (const [, value, attributes] of last.observations) result.observe(value, attributes)
      return
    }
    const observations: Recorded[] = []
    await callback({
      observe(value, attributes) {
        observations.push([undefined, value, attributes])
        result.observe(value, attributes)
      },
    })
    last = { at: now, observations }
  }
}
