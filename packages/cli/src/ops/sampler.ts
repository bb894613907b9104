/**
 * Samples a target's /metrics during a load test (`--ops`): CPU (cores), memory (bytes) and
 * event-loop delay p99 (ms) once per interval, for the report.
 */
import { opsFetch } from './fetch.js'
import { parsePrometheusText } from './prometheus.js'
import { readResources } from './resource-metrics.js'

export interface OpsSample {
  /** Seconds since the start of the run. */
  t: number
  cpuCores?: number | undefined
  memoryBytes?: number | undefined
  eventLoopP99Ms?: number | undefined
}

export interface OpsData {
  source: string
  metrics: { cpu?: string | undefined; memory?: string | undefined; eventLoop?: string | undefined }
  samples: OpsSample[]
  failedScrapes: number
}

export class OpsSampler {
  private timer: NodeJS.Timeout | undefined
  private previousCpu: { at: number; seconds: number } | undefined
  private inFlight: Promise<void> | undefined
  readonly data: OpsData

  constructor(
    private readonly base: string,
    private readonly elapsedMs: () => number,
    private readonly intervalMs = 1000,
    private readonly token?: string,
  ) {
    this.data = { source: base, metrics: {}, samples: [], failedScrapes: 0 }
  }

  start(): void {
    this.inFlight = this.scrape()
    this.timer = setInterval(() => {
      this.inFlight = this.scrape()
    }, this.intervalMs)
  }

  async stop(): Promise<OpsData> {
    clearInterval(this.timer)
    await this.inFlight
    // One last reading at the end of the run, unless the last one is recent (a rate over a
    // very short gap is noise).
    const last = this.data.samples.at(-1)
    if (!last || this.elapsedMs() - last.t * 1000 >= this.intervalMs / 2) await this.scrape()
    return this.data
  }

  private async scrape(): Promise<void> {
    const at = this.elapsedMs()
    let text: string
    try {
      const res = await opsFetch(this.base, '/metrics', {
        token: this.token,
        timeoutMs: Math.max(this.intervalMs, 2000),
      })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      text = await res.text()
    } catch {
      this.data.failedScrapes++
      return
    }
    const reading = readResources(parsePrometheusText(text).samples)
    const sample: OpsSample = { t: Math.round(at / 100) / 10 }
    // A CPU-seconds counter is unambiguous (its rate is in cores); a utilization gauge is the fallback.
    if (reading.cpuSeconds) {
      const previous = this.previousCpu
      this.previousCpu = { at, seconds: reading.cpuSeconds.value }
      this.data.metrics.cpu = reading.cpuSeconds.name
      if (previous && at > previous.at)
        sample.cpuCores = (reading.cpuSeconds.value - previous.seconds) / ((at - previous.at) / 1000)
    } else if (reading.cpuRatio) {
      sample.cpuCores = reading.cpuRatio.value
      this.data.metrics.cpu = reading.cpuRatio.name
    }
    if (reading.memoryBytes) {
      sample.memoryBytes = reading.memoryBytes.value
      this.data.metrics.memory = reading.memoryBytes.name
    }
    if (reading.eventLoopP99Seconds) {
      sample.eventLoopP99Ms = reading.eventLoopP99Seconds.value * 1000
      this.data.metrics.eventLoop = reading.eventLoopP99Seconds.name
    }
    this.data.samples.push(sample)
  }
}
