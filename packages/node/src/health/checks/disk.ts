/**
 * Disk space check: free space of the filesystem holding `path` (via `fs.statfs`, space
 * available to unprivileged users), `down` below `minFreeRatio` or `minFreeBytes`, `degraded`
 * below `degradedFreeRatio`.
 */
import { statfs } from 'node:fs/promises'
import type { HealthCheck } from '../types.js'

/** Options of `health.checks.disk()`. */
export interface DiskCheckOptions {
  /** A path on the filesystem to watch. @default '/' */
  path?: string
  /** `down` when the free fraction is below this. @default 0.05 */
  minFreeRatio?: number
  /** `down` when fewer bytes than this are free. @default 0 */
  minFreeBytes?: number
  /** `degraded` when the free fraction is below this. @default 0.1 */
  degradedFreeRatio?: number
}

export function disk(options: DiskCheckOptions = {}): HealthCheck {
  const path = options.path ?? '/'
  const minFreeRatio = options.minFreeRatio ?? 0.05
  const minFreeBytes = options.minFreeBytes ?? 0
  const degradedFreeRatio = options.degradedFreeRatio ?? 0.1
  return async () => {
    const stats = await statfs(path)
    const free = stats.bavail * stats.bsize
    const used = (stats.blocks - stats.bfree) * stats.bsize
    const ratio = used + free > 0 ? free / (used + free) : 1
    const detail = `${path}: ${formatBytes(free)} free (${(ratio * 100).toFixed(1)}%)`
    if (ratio < minFreeRatio || free < minFreeBytes)
      return { status: 'down', message: `low disk space, ${detail}` }
    if (ratio < degradedFreeRatio) return { status: 'degraded', message: `disk space running low, ${detail}` }
    return { status: 'up' }
  }
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}
