/**
 * Disk I/O from /proc/diskstats (Linux; nothing is reported where it does not exist):
 * `system.disk.io` (By, cumulative, by `disk.io.direction` read/write) and
 * `system.disk.operations` ({operation}, cumulative), per whole disk (`system.device`);
 * partitions, loop, ram and zram devices are left out. Sectors in diskstats are 512 bytes.
 */

import { readdir, readFile } from 'node:fs/promises'
import type { Meter } from '@opentelemetry/api'
import { sampledBatch } from './sampling.js'

const SECTOR_BYTES = 512
const SKIP = /^(loop|ram|zram)\d+$/

export interface DiskStat {
  device: string
  readOps: number
  readBytes: number
  writeOps: number
  writeBytes: number
}

export function parseDiskstats(text: string): DiskStat[] {
  const stats: DiskStat[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 10) continue
    const device = f[2] as string
    stats.push({
      device,
      readOps: Number(f[3]),
      readBytes: Number(f[5]) * SECTOR_BYTES,
      writeOps: Number(f[7]),
      writeBytes: Number(f[9]) * SECTOR_BYTES,
    })
  }
  return stats
}

async function wholeDisks(): Promise<Set<string> | undefined> {
  try {
    return new Set(await readdir('/sys/block'))
  } catch {
    return undefined
  }
}

export async function readDiskstats(path = '/proc/diskstats'): Promise<DiskStat[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return []
  }
  const disks = await wholeDisks()
  return parseDiskstats(text).filter(
    (d) => !SKIP.test(d.device) && (disks === undefined || disks.has(d.device)),
  )
}

export function registerDiskIoMetrics(meter: Meter, intervalMs: number): () => void {
  const io = meter.createObservableCounter('system.disk.io', {
    description: 'Bytes read from and written to each disk.',
    unit: 'By',
  })
  const operations = meter.createObservableCounter('system.disk.operations', {
    description: 'Read and write operations completed by each disk.',
    unit: '{operation}',
  })
  const callback = sampledBatch(async (result) => {
    for (const d of await readDiskstats()) {
      const read = { 'system.device': d.device, 'disk.io.direction': 'read' }
      const write = { 'system.device': d.device, 'disk.io.direction': 'write' }
      result.observe(io, d.readBytes, read)
      result.observe(io, d.writeBytes, write)
      result.observe(operations, d.readOps, read)
      result.observe(operations, d.writeOps, write)
    }
  }, intervalMs)
  meter.addBatchObservableCallback(callback, [io, operations])
  return () => meter.removeBatchObservableCallback(callback, [io, operations])
}
