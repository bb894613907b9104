import type { MetricData } from '@opentelemetry/sdk-metrics'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PrometheusPullReader } from '../src/metrics/prometheus-reader.js'
import { parseDiskstats, readDiskstats } from '../src/resources/diskio.js'
import { hostRuntimeSourcesStarted, resourcesFeature } from '../src/resources/index.js'
import { filterMounts, parseMounts } from '../src/resources/mounts.js'
import {
  DEFAULT_FILESYSTEM_EXCLUDE_MOUNTPOINTS,
  DEFAULT_FILESYSTEM_EXCLUDE_TYPES,
} from '../src/resources/options.js'
import { sampledBatch } from '../src/resources/sampling.js'
import { createTestContext, type TestContext } from './support/health-context.js'

/** Host and runtime sources start a moment after install (off the start-up path). */
function startedSources(t: TestContext): Promise<void> {
  return hostRuntimeSourcesStarted(t.ctx)
}

function points(metric: MetricData | undefined) {
  return (metric?.dataPoints ?? []) as Array<{ attributes: Record<string, unknown>; value: unknown }>
}

describe('resources feature on a real MeterProvider', () => {
  let t: TestContext
  let metrics: Map<string, MetricData>
  let text: string
  beforeAll(async () => {
    t = createTestContext({ resourceIntervalMs: 30_000 })
    resourcesFeature.install(t.ctx)
    await startedSources(t)
    // Let the event-loop delay histogram take samples and a few garbage collections happen.
    for (let i = 0; i < 30; i++) {
      const garbage = Array.from({ length: 20_000 }, (_, j) => ({ j, s: `x${j}` }))
      if (garbage.length === 0) throw new Error('unreachable')
      await new Promise((r) => setTimeout(r, 10))
    }
    metrics = await t.metrics()
    text = await t.reader.scrape()
  })
  afterAll(async () => {
    await t.shutdown()
  })

  it('reports the filesystem of / with usage by state, utilization and limit', () => {
    const usage = points(metrics.get('system.filesystem.usage')).filter(
      (p) => p.attributes['system.filesystem.mountpoint'] === '/',
    )
    expect(usage.map((p) => p.attributes['system.filesystem.state']).sort()).toEqual([
      'free',
      'reserved',
      'used',
    ])
    const root = usage[0]?.attributes ?? {}
    expect(typeof root['system.device']).toBe('string')
    expect(typeof root['system.filesystem.type']).toBe('string')
    expect(root['system.filesystem.type']).not.toBe('tmpfs')
    const byState = Object.fromEntries(
      usage.map((p) => [p.attributes['system.filesystem.state'], p.value as number]),
    )
    const limit = points(metrics.get('system.filesystem.limit')).find(
      (p) => p.attributes['system.filesystem.mountpoint'] === '/',
    )?.value as number
    expect(limit).toBeGreaterThan(0)
    expect((byState.used ?? 0) + (byState.free ?? 0) + (byState.reserved ?? 0)).toBe(limit)
    const utilization = points(metrics.get('system.filesystem.utilization')).find(
      (p) => p.attributes['system.filesystem.mountpoint'] === '/',
    )?.value as number
    expect(utilization).toBeGreaterThan(0)
    expect(utilization).toBeLessThanOrEqual(1)
    expect(metrics.get('system.filesystem.usage')?.descriptor.unit).toBe('By')
    expect(metrics.get('system.filesystem.utilization')?.descriptor.unit).toBe('1')
    expect(metrics.get('system.filesystem.limit')?.descriptor.unit).toBe('By')
    // No pseudo filesystem made it through the default filter.
    for (const p of points(metrics.get('system.filesystem.limit'))) {
      expect(DEFAULT_FILESYSTEM_EXCLUDE_TYPES).not.toContain(p.attributes['system.filesystem.type'])
    }
  })

  it('carries host, process and runtime series with their semantic-convention units', () => {
    const expected: Record<string, string> = {
      'system.cpu.time': 's',
      'system.cpu.utilization': '1',
      'system.memory.usage': 'By',
      'system.memory.utilization': '1',
      'system.network.io': 'By',
      'process.cpu.time': 's',
      'process.cpu.utilization': '1',
      'process.memory.usage': 'By',
      'nodejs.eventloop.utilization': '1',
      'nodejs.eventloop.delay.p99': 's',
      'nodejs.eventloop.delay.max': 's',
      'v8js.gc.duration': 's',
      'v8js.memory.heap.used': 'By',
      'v8js.memory.heap.space.size': 'By',
      'v8js.resource.active': '{resource}',
    }
    for (const [name, unit] of Object.entries(expected)) {
      const metric = metrics.get(name)
      expect({ name, unit: metric?.descriptor.unit }).toEqual({ name, unit })
      expect(metric?.dataPoints.length, name).toBeGreaterThan(0)
    }
    const heapSpaces = points(metrics.get('v8js.memory.heap.used')).map(
      (p) => p.attributes['v8js.heap.space.name'],
    )
    expect(heapSpaces).toContain('new_space')
    const rss = points(metrics.get('process.memory.usage'))[0]?.value as number
    expect(rss).toBeGreaterThan(10 * 1024 * 1024)
    const active = points(metrics.get('v8js.resource.active')).map((p) => p.attributes['v8js.resource.type'])
    expect(active.length).toBeGreaterThan(0)
  })

  it('reports disk I/O per whole disk where /proc/diskstats exists', async () => {
    const disks = await readDiskstats()
    const io = points(metrics.get('system.disk.io'))
    expect(metrics.get('system.disk.io')?.descriptor.unit).toBe('By')
    expect(io.length).toBe(disks.length * 2)
    for (const d of disks) {
      const mine = io.filter((p) => p.attributes['system.device'] === d.device)
      expect(mine.map((p) => p.attributes['disk.io.direction']).sort()).toEqual(['read', 'write'])
    }
    expect(points(metrics.get('system.disk.operations')).length).toBe(disks.length * 2)
  })

  it('serialises to Prometheus names with unit and total suffixes', () => {
    for (const name of [
      'system_filesystem_usage_bytes{',
      'system_filesystem_utilization_ratio{',
      'system_filesystem_limit_bytes{',
      'system_memory_usage_bytes{',
      'system_cpu_time_seconds_total{',
      'system_cpu_utilization_ratio{',
      'system_network_io_bytes_total{',
      'process_cpu_time_seconds_total{',
      'process_memory_usage_bytes{',
      'nodejs_eventloop_utilization_ratio{',
      'nodejs_eventloop_delay_p99_seconds{',
      'v8js_gc_duration_seconds_bucket{',
      'v8js_memory_heap_used_bytes{',
    ]) {
      expect(text, name).toContain(`\n${name}`)
    }
    expect(text).toMatch(
      /^system_filesystem_usage_bytes\{[^}]*system_filesystem_mountpoint="\/"[^}]*\} \d+$/m,
    )
  })
})

describe('feature options', () => {
  it('is off with resourceIntervalMs 0 or no metrics exporter, and leaves host-metrics out when that instrumentation is disabled', async () => {
    const off = createTestContext({ resourceIntervalMs: 0 })
    resourcesFeature.install(off.ctx)
    expect([...(await off.metrics()).keys()].filter((n) => n.startsWith('system.'))).toEqual([])
    await off.shutdown()

    const noExporter = createTestContext({ metricsExporter: ['none'] })
    resourcesFeature.install(noExporter.ctx)
    expect([...(await noExporter.metrics()).keys()].filter((n) => n.startsWith('system.'))).toEqual([])
    await noExporter.shutdown()

    const noHost = createTestContext({ disabledInstrumentations: ['host-metrics'] })
    resourcesFeature.install(noHost.ctx)
    await startedSources(noHost)
    const names = [...(await noHost.metrics()).keys()]
    expect(names).not.toContain('system.cpu.time')
    expect(names).toContain('system.filesystem.usage')
    expect(names).toContain('v8js.memory.heap.used')
    await noHost.shutdown()
  })
})

describe('sampling at collection time', () => {
  it('reads a source at most once per interval and replays its observations in between', async () => {
    const reader = new PrometheusPullReader([])
    const provider = new MeterProvider({ readers: [reader] })
    const meter = provider.getMeter('test')
    const gauge = meter.createObservableGauge('test.sampled', { unit: 'By' })
    let reads = 0
    meter.addBatchObservableCallback(
      sampledBatch(async (result) => {
        reads++
        result.observe(gauge, reads * 100, { source: 'a' })
      }, 60_000),
      [gauge],
    )
    const values: unknown[] = []
    for (let i = 0; i < 3; i++) {
      const { resourceMetrics } = await reader.collect()
      values.push(resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value)
    }
    expect(reads).toBe(1)
    expect(values).toEqual([100, 100, 100])
    await provider.shutdown()
  })
})

describe('mount table and diskstats parsing', () => {
  const MOUNTS = [
    'proc /proc proc rw,nosuid 0 0',
    'overlay / overlay rw,relatime,lowerdir=/x 0 0',
    'tmpfs /dev/shm tmpfs rw 0 0',
    '/dev/vda /etc/hosts ext4 rw,relatime 0 0',
    '/dev/sdb1 /mnt/my\\040data ext4 ro,relatime 0 0',
    'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
    '/dev/loop3 /snap/core/1 squashfs ro 0 0',
    '/dev/vdb /var/lib/docker/overlay2 ext4 rw 0 0',
    '',
  ].join('\n')

  it('decodes escapes, reads the mode, and drops pseudo filesystems and excluded mount points', () => {
    const mounts = parseMounts(MOUNTS)
    expect(mounts).toHaveLength(8)
    expect(mounts[4]).toEqual({ device: '/dev/sdb1', mountpoint: '/mnt/my data', type: 'ext4', mode: 'ro' })
    const kept = filterMounts(
      mounts,
      DEFAULT_FILESYSTEM_EXCLUDE_TYPES,
      DEFAULT_FILESYSTEM_EXCLUDE_MOUNTPOINTS,
    )
    expect(kept.map((m) => m.mountpoint)).toEqual(['/', '/etc/hosts', '/mnt/my data'])
    expect(filterMounts(mounts, ['proc'], ['/mnt/*', '/']).map((m) => m.mountpoint)).toEqual([
      '/dev/shm',
      '/etc/hosts',
      '/sys/fs/cgroup',
      '/snap/core/1',
      '/var/lib/docker/overlay2',
    ])
  })

  it('reads bytes from 512-byte sectors in /proc/diskstats', () => {
    const stats = parseDiskstats(
      ' 254       0 vda 63908 15204 3551906 20506 52709 28563 5976680 21701 0 10508 43874\n',
    )
    expect(stats).toEqual([
      { device: 'vda', readOps: 63908, readBytes: 3551906 * 512, writeOps: 52709, writeBytes: 5976680 * 512 },
    ])
  })
})
