/**
 * OTLP/JSON payloads for the crash flush: the span of an uncaught exception and the
 * `otelkit.errors` sums, built by hand so they can be handed to a synchronous sender without the
 * SDK's asynchronous export pipeline.
 */
import type { Attributes } from '@opentelemetry/api'

type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
export interface KeyValue {
  key: string
  value: AnyValue
}

export function keyValues(attributes: Attributes): KeyValue[] {
  const out: KeyValue[] = []
  for (const [key, v] of Object.entries(attributes)) {
    if (typeof v === 'string') out.push({ key, value: { stringValue: v } })
    else if (typeof v === 'boolean') out.push({ key, value: { boolValue: v } })
    else if (typeof v === 'number') {
      out.push({ key, value: Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } })
    }
  }
  return out
}

export function nanos(ms: number): string {
  return `${BigInt(Math.round(ms * 1000)) * 1000n}`
}

export interface CrashSpan {
  traceId: string
  spanId: string
  parentSpanId: string | undefined
  name: string
  startMs: number
  endMs: number
  attributes: Attributes
  exception: Attributes
  statusMessage: string
}

const SCOPE = { name: '@otelkit/node' }

export function tracesPayload(resource: Attributes, span: CrashSpan): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [
          {
            scope: SCOPE,
            spans: [
              {
                traceId: span.traceId,
                spanId: span.spanId,
                ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
                name: span.name,
                kind: 1,
                startTimeUnixNano: nanos(span.startMs),
                endTimeUnixNano: nanos(span.endMs),
                attributes: keyValues(span.attributes),
                events: [
                  {
                    name: 'exception',
                    timeUnixNano: nanos(span.endMs),
                    attributes: keyValues(span.exception),
                  },
                ],
                status: { code: 2, message: span.statusMessage },
              },
            ],
          },
        ],
      },
    ],
  })
}

export interface SumPoint {
  attributes: Attributes
  value: number
  /** When this series began (epoch ms); the sum's `startMs` when absent. */
  startMs?: number
}

/**
 * A cumulative monotonic sum, as the SDK's own periodic export would send it: each series starts
 * at its first event, so a receiver that ingests start times as zeros counts that event.
 */
export function sumPayload(
  resource: Attributes,
  name: string,
  description: string,
  unit: string,
  startMs: number,
  nowMs: number,
  points: SumPoint[],
): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: keyValues(resource) },
        scopeMetrics: [
          {
            scope: SCOPE,
            metrics: [
              {
                name,
                description,
                unit,
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: points.map((p) => ({
                    attributes: keyValues(p.attributes),
                    // Before the point itself, so the zero a receiver adds there precedes it.
                    startTimeUnixNano: nanos(Math.min(p.startMs ?? startMs, nowMs - 1)),
                    timeUnixNano: nanos(nowMs),
                    asInt: String(p.value),
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  })
}
