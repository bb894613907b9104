/** The PostgreSQL pool and the Redis client the service shares. */
import { Redis } from 'ioredis'
import pg from 'pg'
import { settings } from './config.js'

export const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 10 })
export const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false })

export async function closeConnections(): Promise<void> {
  await Promise.allSettled([pool.end(), redis.quit()])
}
