/**
 * Records every response of a run (over all its steps): the overall latency histogram
 * (HdrHistogram, microseconds), status codes, bytes, transport errors, and a per-second
 * timeline with its own percentiles for the report's plots.
 */
import * as hdr from 'hdr-histogram-js'

export interface TimelinePoint {
  /** Second since the start of the run. */
  t: number
  requests: number
  failed: number
  bytes: number
  p50: number
  p90: number
  p99: number
  max: number
}

/** Upper bounds (ms) of the latency histogram's bins: log-spaced from 0.1 ms to 120 s. */
export const HISTOGRAM_BOUNDS_MS: number[] = (() => {
  const bounds: number[] = []
  for (let b = 0.1; b < 120_000; b *= 1.25) bounds.push(Number(b.toPrecision(3)))
  bounds.push(Number.POSITIVE_INFINITY)
  return bounds
})()

function newHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 'packed',
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  })
}

/** A response outside 200-399, or a transport error, counts as failed (as k6's http_req_failed). */
export function isFailedStatus(status: number): boolean {
  return status < 200 || status >= 400
}

/** Figures of one named request of the scenario. */
export interface RequestStats {
  requests: number
  failed: number
  latency: hdr.Histogram
}

export class Recorder {
  readonly startedAt = new Date()
  private readonly start = performance.now()
  readonly latency = newHistogram()
  private readonly window = newHistogram()
  readonly timeline: TimelinePoint[] = []
  readonly statusCodes: Record<string, number> = {}
  readonly errorKinds: Record<string, number> = {}
  readonly bins: number[] = HISTOGRAM_BOUNDS_MS.map(() => 0)
  readonly byRequest = new Map<string, RequestStats>()
  responses = 0
  failedResponses = 0
  transportErrors = 0
  timeouts = 0
  bytes = 0
  private current = this.emptyPoint(0)

  private emptyPoint(t: number): TimelinePoint {
    return { t, requests: 0, failed: 0, bytes: 0, p50: 0, p90: 0, p99: 0, max: 0 }
  }

  elapsedMs(): number {
    return performance.now() - this.start
  }

  private advance(): TimelinePoint {
    const second = Math.floor(this.elapsedMs() / 1000)
    while (this.current.t < second) {
      this.closeWindow()
      this.current = this.emptyPoint(this.current.t + 1)
    }
    return this.current
  }

  private closeWindow(): void {
    const point = this.current
    if (this.window.totalCount > 0) {
      point.p50 = this.window.getValueAtPercentile(50) / 1000
      point.p90 = this.window.getValueAtPercentile(90) / 1000
      point.p99 = this.window.getValueAtPercentile(99) / 1000
      point.max = this.window.maxValue / 1000
    }
    this.window.reset()
    this.timeline.push(point)
  }

  recordResponse(status: number, bytes: number, latencyMs: number, name?: string): void {
    const point = this.advance()
    const micros = Math.max(1, Math.round(latencyMs * 1000))
    this.latency.recordValue(micros)
    this.window.recordValue(micros)
    const bin = HISTOGRAM_BOUNDS_MS.findIndex((bound) => latencyMs <= bound)
    this.bins[bin < 0 ? this.bins.length - 1 : bin]!++
    this.responses++
    this.bytes += bytes
    point.requests++
    point.bytes += bytes
    const key = String(status)
    this.statusCodes[key] = (this.statusCodes[key] ?? 0) + 1
    const failed = isFailedStatus(status)
    if (failed) {
      this.failedResponses++
      point.failed++
    }
    if (name !== undefined) {
      let stats = this.byRequest.get(name)
      if (!stats) {
        stats = { requests: 0, failed: 0, latency: newHistogram() }
        this.byRequest.set(name, stats)
      }
      stats.requests++
      if (failed) stats.failed++
      stats.latency.recordValue(micros)
    }
  }

  recordError(error: Error & { code?: string }): void {
    const point = this.advance()
    this.transportErrors++
    point.requests++
    point.failed++
    const kind = error.code ?? error.name ?? 'Error'
    if (/timeout/i.test(kind) || /timeout/i.test(error.message)) this.timeouts++
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1
  }

  /** The last complete second, for the progress line. */
  lastSecond(): TimelinePoint | undefined {
    this.advance()
    return this.timeline.at(-1)
  }

  get total(): number {
    return this.responses + this.transportErrors
  }

  get failed(): number {
    return this.failedResponses + this.transportErrors
  }

  /** Closes the current second; call once when the run ends. */
  finish(): void {
    this.advance()
    if (this.current.requests > 0) this.closeWindow()
    while (this.timeline.length > 0 && this.timeline.at(-1)!.requests === 0) this.timeline.pop()
  }
}
