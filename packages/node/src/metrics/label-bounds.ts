/**
 * Per-label bounds on metric attributes whose values come from data (table names, operation
 * names, route templates of odd frameworks, error types, peer host names). Each such label keeps
 * at most `limit` distinct values per metric; later values become `_OTHER`, and overlong values
 * are cut to `MAX_LABEL_VALUE_LENGTH` characters. One table names the labels of each metric, and
 * the same bound serves otelkit's hot-path instruments and, through a view, SDK instruments.
 */
import type { Attributes } from '@opentelemetry/api'
import type { IAttributesProcessor, ViewOptions } from '@opentelemetry/sdk-metrics'

/** The value a label takes once its metric has seen `limit` distinct values of it. */
export const LABEL_OVERFLOW_VALUE = '_OTHER'

/** Default number of distinct values kept per bounded label and metric. */
export const DEFAULT_LABEL_VALUES_MAX = 100

/** Longest value of a bounded label, in characters; longer values are cut. */
export const MAX_LABEL_VALUE_LENGTH = 128

/** Metric name -> attributes that come from data and are bounded. */
export const BOUNDED_LABELS: Readonly<Record<string, readonly string[]>> = {
  'http.server.request.duration': ['http.route', 'error.type'],
  'http.client.request.duration': ['server.address', 'error.type'],
  'db.client.operation.duration': ['db.operation.name', 'db.collection.name', 'error.type'],
  'messaging.client.operation.duration': ['messaging.destination.name', 'error.type'],
  'messaging.process.duration': ['messaging.destination.name', 'error.type'],
  'rpc.server.duration': ['rpc.service', 'rpc.method'],
  'rpc.client.duration': ['rpc.service', 'rpc.method'],
  'otelkit.errors': ['error.type', 'http.route'],
  'otelkit.cache.errors': ['error.type'],
  'otelkit.cache.http.requests': ['http.route'],
}

/** Called once per measurement recorded with a label value replaced by `_OTHER`. */
export type LabelOverflowListener = () => void

/** The distinct values seen per bounded label of one metric. */
export class LabelBound {
  readonly labels: readonly string[]
  readonly limit: number
  /** Whether the last `apply` replaced a value by `_OTHER`. */
  overflowed = false
  private readonly seen: Map<string, Set<string>>

  constructor(labels: readonly string[], limit: number = DEFAULT_LABEL_VALUES_MAX) {
    this.labels = labels
    this.limit = limit
    this.seen = new Map(labels.map((label) => [label, new Set<string>()]))
  }

  /**
   * Returns `attributes` itself when every bounded value is known or still fits, else a copy
   * with overflowing values replaced by `_OTHER` and overlong ones cut (`overflowed` tells which).
   */
  apply(attributes: Attributes): Attributes {
    let out: Attributes | undefined
    this.overflowed = false
    for (const label of this.labels) {
      const value = attributes[label]
      if (typeof value !== 'string') continue
      const seen = this.seen.get(label) as Set<string>
      if (seen.has(value)) continue
      const cut = value.length > MAX_LABEL_VALUE_LENGTH ? value.slice(0, MAX_LABEL_VALUE_LENGTH) : value
      let kept = cut
      if (!seen.has(cut)) {
        if (seen.size < this.limit) {
          seen.add(cut)
        } else {
          kept = LABEL_OVERFLOW_VALUE
          this.overflowed = true
        }
      }
      if (kept !== value) {
        out ??= { ...attributes }
        out[label] = kept
      }
    }
    return out ?? attributes
  }
}

/** A canonical key of an attribute set (sorted), for series whose caller key no longer applies. */
export function canonicalKey(attributes: Attributes): string {
  const keys = Object.keys(attributes).sort()
  let out = '\u0000'
  for (const key of keys) out += `${key}\u0001${String(attributes[key])}\u0002`
  return out
}

class BoundedLabelsProcessor implements IAttributesProcessor {
  private readonly bound: LabelBound
  private readonly onOverflow: LabelOverflowListener

  constructor(bound: LabelBound, onOverflow: LabelOverflowListener) {
    this.bound = bound
    this.onOverflow = onOverflow
  }

  process(incoming: Attributes): Attributes {
    const out = this.bound.apply(incoming)
    if (this.bound.overflowed) this.onOverflow()
    return out
  }
}

/**
 * Views that apply the bounds to SDK instruments of the table (`otelkit.errors`, the cache
 * metrics); otelkit's hot-path instruments apply them themselves.
 */
export function boundedLabelViews(limit: number, onOverflow: LabelOverflowListener): ViewOptions[] {
  return Object.entries(BOUNDED_LABELS).map(([instrumentName, labels]) => ({
    instrumentName,
    attributesProcessors: [new BoundedLabelsProcessor(new LabelBound(labels, limit), onOverflow)],
  }))
}
