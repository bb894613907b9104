/**
 * Memory check: V8 heap use against the heap limit, and optionally RSS against a byte limit;
 * `degraded` above the degraded ratio, `down` above the maximum.
 */
import type { HealthCheck } from '../types.js'

/** Options of `health.checks.memory()`. */
export interface MemoryCheckOptions {
  /** Used heap / heap size limit above which the check is `down`. @default 0.95 */
  maxHeapRatio?: number
  /** Used heap / heap size limit above which the check is `degraded`. @default 0.85 */
  degradedHeapRatio?: number
  /** RSS (bytes) above which the check is `down`. @default undefined (off) */
  maxRssBytes?: number
}

export function memory(options: MemoryCheckOptions = {}): HealthCheck {
  const maxHeapRatio = options.maxHeapRatio ?? 0.95
  const degradedHeapRatio = options.degradedHeapRatio ?? 0.85
  return () => {
    const heap = process.getBuiltinModule('node:v8').getHeapStatistics()
    const ratio = heap.used_heap_size / heap.heap_size_limit
    const rss = process.memoryUsage.rss()
    const detail = `heap ${(ratio * 100).toFixed(1)}% of limit, rss ${Math.round(rss / 1048576)} MiB`
    if (options.maxRssBytes !== undefined && rss > options.maxRssBytes) {
      return {
        status: 'down',
        message: `rss above ${Math.round(options.maxRssBytes / 1048576)} MiB: ${detail}`,
      }
    }
    if (ratio > maxHeapRatio)
      return { status: 'down', message: `heap above ${maxHeapRatio * 100}%: ${detail}` }
    if (ratio > degradedHeapRatio)
      return { status: 'degraded', message: `heap above ${degradedHeapRatio * 100}%: ${detail}` }
    return { status: 'up' }
  }
}
