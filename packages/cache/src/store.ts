/**
 * L2: Redis access that fails open. The cache's own duplicate of the user's client carries the
 * per-command timeout; a command is only sent while the connection is ready and the breaker closed,
 * so a down, slow or paused Redis costs a caller at most one timeout. Failures are counted, logged
 * at most once per interval, and feed the breaker. Cluster multi-key work is grouped by hash slot.
 */

import calculateSlot from 'cluster-key-slot'
import type { Cluster, Redis } from 'ioredis'
import type { Breaker } from './breaker.js'
import type { RateLimitedLog } from './logger.js'
import type { Telemetry } from './telemetry.js'

type Client = Redis | Cluster

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`
// Rewrites the staleAt field (bytes 3-15, 1-based) of each entry that is still fresh.
const SOFT_EXPIRE = `local n = 0
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v and string.len(v) >= 28 and string.sub(v, 1, 1) == '1' and string.sub(v, 3, 15) > ARGV[1] then
    redis.call('SET', k, string.sub(v, 1, 2) .. ARGV[1] .. string.sub(v, 16), 'KEEPTTL')
    n = n + 1
  end
end
return n`

export class Store {
  readonly client: Client
  readonly isCluster: boolean
  private readonly commandTimeout: number
  private watchdog: NodeJS.Timeout | undefined
  /** Commands sent and not yet answered, and when the connection last made progress (performance.now()). */
  private inFlight = 0
  private progressAt = 0
  /** When the watchdog last dropped a stalled connection (performance.now()), 0 if never. */
  private stalledAt = 0

  constructor(
    source: Client,
    commandTimeout: number,
    private readonly breaker: Breaker,
    private readonly telemetry: Telemetry,
    private readonly log: RateLimitedLog,
  ) {
    this.isCluster = (source as Cluster).isCluster === true
    this.commandTimeout = commandTimeout
    if (this.isCluster) {
      // Cluster: ioredis' own per-command timer on every node connection
      const cluster = source as Cluster
      const redisOptions = { ...cluster.options.redisOptions, commandTimeout, maxRetriesPerRequest: 1 }
      this.client = cluster.duplicate(undefined, { redisOptions, enableOfflineQueue: true })
    } else {
      // Standalone: no timer per command. A watchdog notices a connection that has had commands in
      // flight without any reply for longer than the timeout and drops it; with maxRetriesPerRequest 0
      // that rejects every pending command at once, and the caller falls through to the loader.
      this.client = (source as Redis).duplicate({
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        lazyConnect: false,
      })
      this.watchdog = setInterval(() => this.checkStall(), Math.max(5, Math.floor(commandTimeout / 5)))
      this.watchdog.unref()
    }
    this.client.defineCommand('otelkitRelease', { numberOfKeys: 1, lua: RELEASE_LOCK })
    this.client.defineCommand('otelkitSoftExpire', { lua: SOFT_EXPIRE })
    this.client.on('ready', () => this.breaker.success())
    this.client.on('error', (error: Error) => {
      this.log.warn('redis', `cache "${telemetry.name}": Redis connection error: ${error.message}`)
    })
  }

  /** Resolves once the connection is ready (or after `timeoutMs`); never rejects. */
  ready(timeoutMs = 5000): Promise<boolean> {
    if (this.client.status === 'ready') return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady)
        resolve(false)
      }, timeoutMs)
      const onReady = () => {
        clearTimeout(timer)
        resolve(true)
      }
      this.client.once('ready', onReady)
    })
  }

  /** True when a command may be sent now; counts a skipped call otherwise. */
  usable(now: number): boolean {
    if (!this.breaker.allow(now)) {
      this.telemetry.error('breaker_open')
      return false
    }
    if (this.client.status !== 'ready') {
      // a lost connection counts as a failure (opening the breaker); 'ready' closes it again
      this.breaker.failure(now)
      this.telemetry.error('connection')
      return false
    }
    return true
  }

  /** Marks a command as sent; returns its start time for ok() / fail(). */
  begin(): number {
    const now = performance.now()
    if (this.inFlight++ === 0) this.progressAt = now
    return now
  }

  ok(operation: string, started: number): void {
    const now = performance.now()
    this.inFlight--
    this.progressAt = now
    this.breaker.success()
    this.telemetry.operation(operation, (now - started) / 1000)
  }

  fail(operation: string, error: unknown): void {
    this.inFlight--
    this.progressAt = performance.now()
    this.breaker.failure(Date.now())
    const message = (error as Error)?.message ?? String(error)
    // commands rejected because the watchdog dropped a stalled connection count as timeouts
    const stalled = this.stalledAt !== 0 && performance.now() - this.stalledAt < 1000
    const type =
      stalled || /timed? ?out/i.test(message)
        ? 'timeout'
        : /connect|closed|writeable|ECONN|max retries/i.test(message)
          ? 'connection'
          : 'redis'
    this.telemetry.error(type)
    this.log.warn(
      `redis-${type}`,
      `cache "${this.telemetry.name}": Redis ${operation} failed (${type}): ${message}; falling back`,
    )
  }

  private checkStall(): void {
    if (this.inFlight <= 0 || performance.now() - this.progressAt <= this.commandTimeout) return
    const client = this.client as Redis
    this.log.warn(
      'redis-stall',
      `cache "${this.telemetry.name}": Redis gave no reply for ${this.commandTimeout} ms; reconnecting`,
    )
    this.progressAt = performance.now()
    this.stalledAt = this.progressAt
    // destroy, not end(): a stalled peer never answers the FIN, and ioredis would wait 2 s to destroy
    // the socket itself; the close rejects the pending commands and ioredis reconnects in the background
    if (client.status === 'ready') client.stream?.destroy()
  }

  /** Runs `fn` against Redis with fail-open semantics; returns `fallback` when Redis is unusable or fails. */
  async run<T, F>(operation: string, fallback: F, fn: (client: Client) => Promise<T>): Promise<T | F> {
    if (!this.usable(Date.now())) return fallback
    const started = this.begin()
    try {
      const result = await fn(this.client)
      this.ok(operation, started)
      return result
    } catch (error) {
      this.fail(operation, error)
      return fallback
    }
  }

  /** Sets a value and records its tags: one round trip on a standalone server. */
  write(key: string, data: Buffer, px: number, tagKeys: readonly string[]): Promise<boolean | undefined> {
    return this.run('set', undefined, async (client) => {
      if (tagKeys.length === 0) {
        await client.set(key, data, 'PX', px)
        return true
      }
      if (this.isCluster) {
        const ops: Promise<unknown>[] = [client.set(key, data, 'PX', px)]
        for (const tagKey of tagKeys) ops.push(addToTag(client, tagKey, key, px))
        await Promise.all(ops)
        return true
      }
      const pipeline = (client as Redis).pipeline().set(key, data, 'PX', px)
      for (const tagKey of tagKeys)
        pipeline.sadd(tagKey, key).pexpire(tagKey, px, 'NX').pexpire(tagKey, px, 'GT')
      const results = await pipeline.exec()
      for (const [error] of results ?? []) if (error) throw error
      return true
    })
  }

  /** Deletes keys (UNLINK), grouped by slot on a cluster. Returns the count, or -1 on failure. */
  unlink(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return Promise.resolve(0)
    return this.run('delete', -1, async (client) => {
      let n = 0
      for (const group of this.bySlot(keys)) n += await client.unlink(...group)
      return n
    })
  }

  /** Marks entries stale in place. Returns the count, or -1 on failure. */
  softExpire(keys: readonly string[], now: number): Promise<number> {
    if (keys.length === 0) return Promise.resolve(0)
    const stamp = String(now).padStart(13, '0')
    return this.run('expire', -1, async (client) => {
      let n = 0
      const run = (client as unknown as { otelkitSoftExpire: (...a: unknown[]) => Promise<number> })
        .otelkitSoftExpire
      for (const group of this.bySlot(keys)) n += await run.call(client, group.length, ...group, stamp)
      return n
    })
  }

  /** Members of a tag set, or undefined on failure. */
  tagMembers(tagKey: string): Promise<string[] | undefined> {
    return this.run('tags', undefined, (client) => client.smembers(tagKey))
  }

  removeFromTag(tagKey: string, members: readonly string[]): Promise<unknown> {
    if (members.length === 0) return Promise.resolve()
    return this.run('tags', undefined, (client) => client.srem(tagKey, ...members))
  }

  /** Keys matching `prefix*` on every master (SCAN, never KEYS); undefined on failure. */
  scanPrefix(prefix: string): Promise<string[] | undefined> {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
    return this.run('scan', undefined, async (client) => {
      const nodes: Redis[] = this.isCluster ? (client as Cluster).nodes('master') : [client as Redis]
      const keys: string[] = []
      for (const node of nodes) {
        let cursor = '0'
        do {
          const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
          cursor = next
          for (const k of batch) keys.push(k)
        } while (cursor !== '0')
      }
      return keys
    })
  }

  /** SET NX PX with a token; true when acquired, undefined when Redis is unusable. */
  acquire(lockKey: string, token: string, ttl: number): Promise<boolean | undefined> {
    return this.run(
      'lock',
      undefined,
      async (client) => (await client.set(lockKey, token, 'PX', ttl, 'NX')) === 'OK',
    )
  }

  /** Deletes the lock only when it still holds our token. */
  release(lockKey: string, token: string): Promise<unknown> {
    return this.run('unlock', undefined, (client) =>
      (client as unknown as { otelkitRelease: (k: string, t: string) => Promise<number> }).otelkitRelease(
        lockKey,
        token,
      ),
    )
  }

  private bySlot(keys: readonly string[]): string[][] {
    if (!this.isCluster) return [keys as string[]]
    const groups = new Map<number, string[]>()
    for (const key of keys) {
      const slot = calculateSlot(key)
      const group = groups.get(slot)
      if (group) group.push(key)
      else groups.set(slot, [key])
    }
    return [...groups.values()]
  }

  async close(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog)
    try {
      await this.client.quit()
    } catch {
      this.client.disconnect()
    }
  }
}

async function addToTag(client: Client, tagKey: string, key: string, px: number): Promise<void> {
  await client.sadd(tagKey, key)
  await client.pexpire(tagKey, px, 'NX')
  await client.pexpire(tagKey, px, 'GT')
}
