/**
 * The one place a failure is recorded: categorised, fingerprinted, counted in `otelkit.errors`
 * and added to its group. The span processor and the uncaught-exception monitor both call it.
 */
import type { Attributes, Counter } from '@opentelemetry/api'
import { categorize } from './categorize.js'
import { fingerprint } from './fingerprint.js'
import { ErrorGroups } from './groups.js'
import type { ErrorCategory, ErrorClassifier, ErrorDescription } from './types.js'

export interface TrackerSettings {
  classifier: ErrorClassifier | undefined
  appRoot: string
  fingerprintFrames: number
  maxGroups: number
  maxStackLength: number
  maxMessageLength: number
}

export interface Tracked {
  category: ErrorCategory
  fingerprint: string
  /** `error.type` as counted (capped in length). */
  type: string
}

const MAX_TYPE_LENGTH = 64
/** Series of `otelkit.errors` remembered for the crash flush (the SDK's own default limit). */
const MAX_SERIES = 2000

export interface SeriesTotal {
  attributes: Attributes
  value: number
  /** When the series got its first event (epoch ms), as the SDK starts a cumulative series. */
  startMs: number
}

export class ErrorTracker {
  readonly groups: ErrorGroups
  private readonly settings: TrackerSettings
  private readonly counter: Counter
  private readonly totals = new Map<string, SeriesTotal>()
  /** When counting started (epoch ms): the start time of the cumulative sums. */
  readonly startMs = Date.now()

  constructor(counter: Counter, settings: TrackerSettings) {
    this.counter = counter
    this.settings = settings
    this.groups = new ErrorGroups(settings)
  }

  /**
   * Records one failure. `fingerprintMessage` replaces the message in the fingerprint when the
   * failure has no message of its own (a bare HTTP status is grouped per method and route).
   */
  /** Totals of every `otelkit.errors` series since start, as the SDK's cumulative sums hold them. */
  seriesTotals(): SeriesTotal[] {
    return [...this.totals.values()]
  }

  record(error: ErrorDescription, traceId: string | undefined, fingerprintMessage?: string): Tracked {
    const category = categorize(error, this.settings.classifier)
    const type = error.type.length > MAX_TYPE_LENGTH ? error.type.slice(0, MAX_TYPE_LENGTH) : error.type
    const fp = fingerprint(
      { type, message: fingerprintMessage ?? error.message, stack: error.stack },
      this.settings.appRoot,
      this.settings.fingerprintFrames,
    )
    const attributes: Attributes = { 'error.category': category, 'error.type': type }
    if (error.route !== undefined) attributes['http.route'] = error.route
    this.counter.add(1, attributes)
    const key = `${category}|${type}|${error.route ?? ''}`
    const total = this.totals.get(key)
    if (total !== undefined) total.value++
    else if (this.totals.size < MAX_SERIES)
      this.totals.set(key, { attributes, value: 1, startMs: Date.now() })
    this.groups.record({
      fingerprint: fp,
      type,
      category,
      message: error.message,
      route: error.route,
      stack: error.stack,
      traceId,
      at: Date.now(),
    })
    return { category, fingerprint: fp, type }
  }
}
