/** The built-in checks, as `health.checks.*`. */
import { disk } from './disk.js'
import { eventLoop } from './event-loop.js'
import { http } from './http.js'
import { memory } from './memory.js'
import { mysql } from './mysql.js'
import { postgres } from './postgres.js'
import { redis } from './redis.js'

export const checks = { postgres, mysql, redis, http, disk, eventLoop, memory }

export type { DiskCheckOptions } from './disk.js'
export type { EventLoopCheckOptions } from './event-loop.js'
export type { HttpCheckOptions } from './http.js'
export type { MemoryCheckOptions } from './memory.js'
export type { MysqlCheckOptions, MysqlQueryable } from './mysql.js'
export type { PgQueryable, PostgresCheckOptions } from './postgres.js'
export type { RedisPingable } from './redis.js'
