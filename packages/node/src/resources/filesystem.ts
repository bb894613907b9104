/**
 * Filesystem metrics from `fs.statfs` per mount point (no Node package emits them):
 * `system.filesystem.usage` (By, by `system.filesystem.state` used/free/reserved),
 * `system.filesystem.utilization` (1, used / (used + free) as `df` shows it) and
 * `system.filesystem.limit` (By). Bind mounts of one filesystem are reported once. A mount
 * whose statfs does not answer within 2 s is skipped, and not asked again until it answers,
 * so a hung network filesystem never fills the libuv thread pool.
 */

import { statfs } from 'node:fs/promises'
import type { Meter } from '@opentelemetry/api'
import { rateLimitedLogger } from '../logger.js'
import { type Mount, readMounts } from './mounts.js'
import type { ResourcesOptions } from './options.js'
import { sampledBatch } from './sampling.js'

const STATFS_TIMEOUT_MS = 2000

interface Usage {
  mount: Mount
  used: number
  free: number
  reserved: number
  limit: number
}

export function registerFilesystemMetrics(
  meter: Meter,
  options: ResourcesOptions,
  intervalMs: number,
): () => void {
  const usage = meter.createObservableUpDownCounter('system.filesystem.usage', {
    description: 'Filesystem bytes by state (used, free, reserved).',
    unit: 'By',
  })
  const utilization = meter.createObservableGauge('system.filesystem.utilization', {
    description: 'Fraction of the filesystem bytes used.',
    unit: '1',
  })
  const limit = meter.createObservableUpDownCounter('system.filesystem.limit', {
    description: 'Total size of the filesystem.',
    unit: 'By',
  })
  const pending = new Set<string>()
  const warn = rateLimitedLogger(10 * 60_000)

  const sample = async (mount: Mount): Promise<Usage | undefined> => {
    if (pending.has(mount.mountpoint)) return undefined
    pending.add(mount.mountpoint)
    const call = statfs(mount.mountpoint).finally(() => pending.delete(mount.mountpoint))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, STATFS_TIMEOUT_MS, undefined)
      timer.unref()
    })
    try {
      const stats = await Promise.race([call, timeout])
      if (!stats) {
        warn(
          'warn',
          `statfs:${mount.mountpoint}`,
          `statfs(${mount.mountpoint}) did not answer within 2 s; skipped`,
        )
        return undefined
      }
      if (stats.blocks === 0) return undefined
      return {
        mount,
        used: (stats.blocks - stats.bfree) * stats.bsize,
        free: stats.bavail * stats.bsize,
        reserved: (stats.bfree - stats.bavail) * stats.bsize,
        limit: stats.blocks * stats.bsize,
      }
    } catch {
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }

  const callback = sampledBatch(async (result) => {
    const mounts = await readMounts(options.filesystemExcludeTypes, options.filesystemExcludeMountPoints)
    mounts.sort((a, b) => a.mountpoint.length - b.mountpoint.length)
    const seen = new Set<string>()
    for (const sampleResult of await Promise.all(mounts.map(sample))) {
      if (!sampleResult) continue
      const { mount } = sampleResult
      // Bind mounts of one filesystem (containers bind /etc/hosts etc.) are reported once.
      const key = `${mount.device}|${mount.type}|${sampleResult.limit}`
      if (seen.has(key)) continue
      seen.add(key)
      const attributes = {
        'system.device': mount.device,
        'system.filesystem.mountpoint': mount.mountpoint,
        'system.filesystem.type': mount.type,
        'system.filesystem.mode': mount.mode,
      }
      result.observe(usage, sampleResult.used, { ...attributes, 'system.filesystem.state': 'used' })
      result.observe(usage, sampleResult.free, { ...attributes, 'system.filesystem.state': 'free' })
      result.observe(usage, sampleResult.reserved, { ...attributes, 'system.filesystem.state': 'reserved' })
      const total = sampleResult.used + sampleResult.free
      result.observe(utilization, total > 0 ? sampleResult.used / total : 0, attributes)
      result.observe(limit, sampleResult.limit, attributes)
    }
  }, intervalMs)
  meter.addBatchObservableCallback(callback, [usage, utilization, limit])
  return () => meter.removeBatchObservableCallback(callback, [usage, utilization, limit])
}
