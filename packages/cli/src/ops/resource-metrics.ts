/**
 * What `otelkit load --ops` looks for in a target's /metrics, in order of preference; the first
 * name present wins. All samples of a name are summed (over labels such as `cpu.mode`).
 */
import { type Sample, sumOf } from './prometheus.js'

/** CPU as a utilization gauge: used as is, when no CPU-seconds counter is present. */
export const CPU_RATIO_METRICS = ['process_cpu_utilization_ratio', 'process_cpu_utilization']
/** CPU as a counter of seconds (preferred): turned into cores by its rate between two samples. */
export const CPU_SECONDS_METRICS = [
  'process_cpu_time_seconds_total',
  'process_cpu_seconds_total',
  'process_cpu_time_seconds',
]
/** Memory in bytes. */
export const MEMORY_METRICS = [
  'process_memory_usage_bytes',
  'process_resident_memory_bytes',
  'process_memory_usage',
  'nodejs_heap_size_used_bytes',
  'v8js_memory_heap_used_bytes',
]
/** Event-loop delay p99 in seconds. */
export const EVENT_LOOP_METRICS = [
  'nodejs_eventloop_delay_p99_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_delay_p99',
]

export interface ResourceReading {
  cpuRatio?: { name: string; value: number }
  cpuSeconds?: { name: string; value: number }
  memoryBytes?: { name: string; value: number }
  eventLoopP99Seconds?: { name: string; value: number }
}

function first(samples: Sample[], names: string[]): { name: string; value: number } | undefined {
  for (const name of names) {
    const value = sumOf(samples, name)
    if (value !== undefined && Number.isFinite(value)) return { name, value }
  }
  return undefined
}

export function readResources(samples: Sample[]): ResourceReading {
  const reading: ResourceReading = {}
  const cpuRatio = first(samples, CPU_RATIO_METRICS)
  if (cpuRatio) reading.cpuRatio = cpuRatio
  const cpuSeconds = first(samples, CPU_SECONDS_METRICS)
  if (cpuSeconds) reading.cpuSeconds = cpuSeconds
  const memory = first(samples, MEMORY_METRICS)
  if (memory) reading.memoryBytes = memory
  const eld = first(samples, EVENT_LOOP_METRICS)
  if (eld) reading.eventLoopP99Seconds = eld
  return reading
}
