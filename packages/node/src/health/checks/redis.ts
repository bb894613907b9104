/**
 * Redis check: PING through the application's ioredis client (standalone or Cluster), or
 * through a short-lived connection to a `redis://` / `rediss://` URL (ioredis loaded lazily
 * from the application). A client that is not connected is reported with its status at once.
 */
import { loadDriver } from '../drivers.js'
import type { HealthCheck } from '../types.js'
import { ConnectionSet } from './connections.js'

/** An ioredis `Redis` or `Cluster` (anything with `ping()` and ioredis' `status`). */
export interface RedisPingable {
  ping(): Promise<unknown>
  status?: string
}

interface RedisClient {
  connect(): Promise<void>
  ping(): Promise<unknown>
  disconnect(): void
  on(event: 'error', listener: (error: Error) => void): void
}

type RedisCtor = new (url: string, options: Record<string, unknown>) => RedisClient

// ioredis states in which a PING answers, or waits (bounded by the timeout) for a first connection.
const PINGABLE = new Set(['ready', 'wait', 'connecting', 'connect', undefined])

export function redis(target: RedisPingable | string | URL): HealthCheck {
  if (typeof target !== 'string' && !(target instanceof URL)) {
    if (typeof target?.ping !== 'function') throw new TypeError('redis check needs an ioredis client or URL')
    return async () => {
      if (!PINGABLE.has(target.status)) return { status: 'down', message: `redis client is ${target.status}` }
      await target.ping()
    }
  }
  const url = String(target)
  const connections = new ConnectionSet()
  const check: HealthCheck = async (signal) => {
    const mod = loadDriver<RedisCtor & { Redis?: RedisCtor; default?: RedisCtor }>('ioredis', 'redis')
    const Redis = mod.Redis ?? mod.default ?? mod
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableReadyCheck: false,
      connectionName: 'otelkit-health',
    })
    client.on('error', () => {})
    await connections.use(signal, { close: () => client.disconnect() }, async () => {
      await client.connect()
      await client.ping()
    })
  }
  check.close = () => connections.closeAll()
  return check
}
