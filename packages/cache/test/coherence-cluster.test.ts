/**
 * L1 coherence on a 3-master Redis Cluster: two caches on their own Cluster clients drop each
 * other's L1 copies over the bus (cluster pub/sub reaches every node), and still do after every
 * node has dropped its pub/sub connections (the cluster subscriber reconnects and subscribes again).
 */
import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Cache, createCache } from '../src/index.js'
import { expectWriteDropsL1Copy, l1Value, readUntilHeld } from './support/l1.js'
import { eventually, TestCluster } from './support/redis.js'

let cluster: TestCluster
const clients: Cluster[] = []
const caches: Cache[] = []

beforeAll(async () => {
  cluster = await TestCluster.start()
})
afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()))
  for (const client of clients) client.disconnect()
  await cluster.stop()
})

function clusterCache(name: string): Cache {
  const client = cluster.client()
  client.on('error', () => {})
  clients.push(client)
  const cache = createCache({ name, redis: client, l1: true, logger: { warn() {} } })
  caches.push(cache)
  return cache
}

describe('L1 coherence on a Redis Cluster', () => {
  it('a write on one instance drops the other’s L1 copy, for keys on every node', async () => {
    const a = clusterCache('cluster-bus')
    const b = clusterCache('cluster-bus')
    expect(await a.ready()).toBe(true)
    expect(await b.ready()).toBe(true)
    // Keys spread over the slots of all three masters.
    const keys = Array.from({ length: 12 }, (_, i) => `item:${i}`)
    for (const key of keys) await a.set(key, 1)
    for (const key of keys) expect(await b.get(key)).toBe(1)
    await readUntilHeld(b, keys, 1)
    for (const key of keys) await a.set(key, 2)
    await eventually(() => keys.every((key) => l1Value(b, key) === undefined))
    for (const key of keys) expect(await b.get(key)).toBe(2)
  })

  it('after every node drops its pub/sub connections, the bus subscribes again and invalidation still arrives', async () => {
    const a = clusterCache('cluster-resubscribe')
    const b = clusterCache('cluster-resubscribe')
    expect(await a.ready()).toBe(true)
    expect(await b.ready()).toBe(true)
    const before = await cluster.pubSubConnections()
    expect(before).toBeGreaterThanOrEqual(2)
    // Both buses lose their connections (they come back at once: counting them again would race).
    expect(await cluster.killPubSubConnections()).toBeGreaterThanOrEqual(2)
    await eventually(async () => (await cluster.pubSubConnections()) >= before, 10_000)
    // A's write reaches B over the channel subscribed again; B's L1 copy goes.
    await expectWriteDropsL1Copy(a, b, 'k', 10_000)
    // And the other way round.
    expect(l1Value(a, 'k')).toBe(2)
    await b.set('k', 3)
    await eventually(() => l1Value(a, 'k') === undefined, 5000)
    expect(await a.get('k')).toBe(3)
  })
})
