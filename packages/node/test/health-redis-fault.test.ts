import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checks } from '../src/health/checks/index.js'
import { HealthRegistry } from '../src/health/registry.js'
import { waitFor } from './support/eventually.js'
import { startTestCluster, startTestRedis, type TestCluster, type TestRedis } from './support/redis-server.js'

const INTERVAL_MS = 200

/** Waits for the registry's state, asking often: the checks run every INTERVAL_MS. */
const until = (predicate: () => boolean, what: string) =>
  waitFor(what, predicate, { timeoutMs: 15_000, intervalMs: 10 })

describe('a Redis that dies and comes back', () => {
  let redis: TestRedis
  const registry = new HealthRegistry()
  beforeAll(async () => {
    redis = await startTestRedis()
  })
  afterAll(async () => {
    await registry.reset()
    await redis.kill()
  })

  it('goes down at the next background run after the kill, and up after a restart', async () => {
    registry.register('cache', checks.redis(redis.url), { critical: true, timeoutMs: 1000 })
    registry.start(INTERVAL_MS)
    await until(() => registry.status().checks.cache?.status === 'up', 'first background run up')
    expect(registry.status().status).toBe('up')

    const killedPid = redis.pid()
    await redis.kill()
    const runsAtKill = registry.invocations
    await until(() => registry.status().checks.cache?.status === 'down', 'down after the kill')
    // At most the run in flight at the kill and the next one: down within one interval.
    expect(registry.invocations - runsAtKill).toBeLessThanOrEqual(2)
    expect(registry.status()).toMatchObject({ status: 'down' })
    expect(registry.status().checks.cache?.lastError).toMatch(/ECONNREFUSED|Connection is closed/)

    await redis.start()
    expect(redis.pid()).not.toBe(killedPid)
    const runsAtRestart = registry.invocations
    await until(() => registry.status().checks.cache?.status === 'up', 'up after the restart')
    expect(registry.invocations - runsAtRestart).toBeLessThanOrEqual(2)
    expect(registry.status().status).toBe('up')
  })
})

describe('a Redis Cluster client', () => {
  let cluster: TestCluster
  const { Cluster } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis')
  let client: InstanceType<typeof Cluster>
  beforeAll(async () => {
    cluster = await startTestCluster()
    client = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0]?.port ?? 0 }], {
      clusterRetryStrategy: () => 50,
    })
    client.on('error', () => {})
  })
  afterAll(async () => {
    client?.disconnect()
    await cluster?.kill()
  })

  it('is up while the cluster serves and down once its nodes are killed', async () => {
    const registry = new HealthRegistry({ coalesceWindowMs: 0 })
    registry.register('cluster', checks.redis(client), { timeoutMs: 1000 })
    expect((await registry.check()).checks.cluster).toMatchObject({ status: 'up', lastError: null })
    await cluster.kill()
    const report = await registry.check()
    expect(report.checks.cluster?.status).toBe('down')
    expect(report.checks.cluster?.lastError).toMatch(
      /redis client is|timed out|Connection is closed|ECONNREFUSED/,
    )
    await registry.reset()
  })
})
