/**
 * Public option types. Precedence: per-call options > createCache() options > defaults below.
 * The README option table lists the same defaults (a test keeps them equal to DEFAULTS).
 */
import type { Cluster, Redis } from 'ioredis'
import type { Duration } from './duration.js'
import type { CacheLogger } from './logger.js'
import type { Serializer } from './serializer.js'

/** The defaults, in milliseconds / bytes / counts. */
export const DEFAULTS = {
  name: 'default',
  ttl: 300_000,
  staleTtl: 0,
  jitter: 0.1,
  commandTimeout: 50,
  maxValueBytes: 1_048_576,
  maxDecodedBytes: 1_048_576,
  maxBigIntDigits: 1000,
  compressionThreshold: 1024,
  l1MaxEntries: 10_000,
  l1MaxBytes: 67_108_864,
  l1MaxTtl: 60_000,
  breakerThreshold: 5,
  breakerResetAfter: 5_000,
  breakerMaxResetAfter: 60_000,
  lockTtl: 10_000,
  lockWait: 5_000,
  lockPoll: 20,
  logInterval: 60_000,
  staleIfError: true,
} as const

/** Options of the in-process L1 tier. */
export interface L1Options {
  /** Most entries kept. @default 10000 */
  maxEntries?: number
  /** Most bytes kept (stored size of the entries). @default 67108864 (64 MiB) */
  maxBytes?: number
  /** Longest an entry lives in L1 even when its TTL is longer (a bound on staleness if a pub/sub message is lost). @default '1m' */
  maxTtl?: Duration
}

/** Circuit breaker options. */
export interface BreakerOptions {
  /** Consecutive Redis failures that open the breaker. @default 5 */
  threshold?: number
  /** How long the breaker stays open before one probe. @default '5s' */
  resetAfter?: Duration
  /** Upper bound of the open period, which doubles on each failed probe. @default '60s' */
  maxResetAfter?: Duration
}

/** Distributed lock options (SET NX PX with a token, released by a compare-and-delete script). */
export interface LockOptions {
  /** Lock lifetime: the longest a loader may hold it. @default '10s' */
  ttl?: Duration
  /** How long a process that did not get the lock waits for the value before loading itself. @default '5s' */
  wait?: Duration
  /** Poll interval while waiting. @default 20 */
  poll?: Duration
}

/** Loader timeouts. */
export interface LoaderTimeouts {
  /** When a stale value exists and the loader is slower than this, the stale value is returned and the loader finishes in the background. @default undefined (none) */
  soft?: Duration
  /** The loader is abandoned after this; a stale value is served if there is one, else LoaderTimeoutError. @default undefined (none) */
  hard?: Duration
}

/** Options of createCache(). */
export interface CacheOptions {
  /** The cache's name: the `cache.name` metric attribute and the default key prefix. @default 'default' */
  name?: string
  /** An ioredis client (standalone `Redis` or `Cluster`). The cache duplicates it for its own commands (with the command timeout) and for pub/sub. Without one the cache is L1-only. @default undefined */
  redis?: Redis | Cluster
  /** Prefix of every Redis key. @default `${name}:` */
  prefix?: string
  /** Default time to live (fresh period). @default '5m' */
  ttl?: Duration
  /** Default grace period after `ttl` during which a stale value is served while one refresh runs. @default 0 */
  staleTtl?: Duration
  /** TTL jitter as a fraction: each TTL is multiplied by a random factor in [1 - jitter, 1 + jitter]. @default 0.1 */
  jitter?: number
  /** In-process LRU tier, kept coherent across instances over Redis pub/sub; `true` uses the defaults. @default false */
  l1?: boolean | L1Options
  /** Value serializer. @default JSON (with Buffer, Date, BigInt, Map and Set round trips) */
  serializer?: Serializer
  /** gzip payloads larger than `threshold` bytes; `true` uses the default threshold. @default false */
  compression?: boolean | { threshold?: number }
  /**
   * Values whose stored form is larger than this are not stored (counted as otelkit.cache.writes.skipped);
   * the caller still gets its value. A larger entry found in Redis is not decoded: a miss, counted as
   * otelkit.cache.errors{error.type=entry_too_large}. @default 1048576 (1 MiB)
   */
  maxValueBytes?: number
  /**
   * Largest serialised payload once inflated (gzip entries) or as stored: decompression stops at this
   * size (a gzip bomb costs a few milliseconds, not seconds), and the entry is a miss counted as
   * `entry_too_large`. Values whose payload is larger are not stored. The default equals
   * `maxValueBytes`, so a compressed entry never costs more to decode than an uncompressed one can:
   * compression saves Redis memory and bandwidth, it does not raise the size limit.
   * @default 1048576 (1 MiB)
   */
  maxDecodedBytes?: number
  /**
   * Most decimal digits of one BigInt in a JSON-serialised value (decimal BigInt parsing is
   * superlinear: 2 million digits take a third of a second). An entry with a longer one is a miss
   * counted as `entry_too_large`; values holding one are not stored. @default 1000
   */
  maxBigIntDigits?: number
  /** Per-command Redis timeout; a slower command counts as a failure and the call falls through. @default 50 */
  commandTimeout?: Duration
  /** Circuit breaker. @default { threshold: 5, resetAfter: '5s', maxResetAfter: '60s' } */
  breaker?: BreakerOptions
  /** Default loader timeouts. @default {} */
  timeouts?: LoaderTimeouts
  /** Serve a stale value when the loader fails or times out. @default true */
  staleIfError?: boolean
  /** Default distributed lock for getOrSet misses; `true` uses the defaults. @default false */
  lock?: boolean | LockOptions
  /** Where diagnostics go (at most one line per kind of problem per `logInterval`). @default stderr */
  logger?: CacheLogger
  /** Minimum interval between two log lines of the same kind. @default '1m' */
  logInterval?: Duration
}

/** Options of set() and getOrSet(). */
export interface SetOptions {
  /** Fresh period. @default the cache's `ttl` */
  ttl?: Duration
  /** Grace period after `ttl` (stale-while-revalidate, stale-if-error). @default the cache's `staleTtl` */
  staleTtl?: Duration
  /** Tags for invalidateTags(). @default [] */
  tags?: readonly string[]
  /** TTL jitter fraction. @default the cache's `jitter` */
  jitter?: number
}

/** Options of getOrSet(). */
export interface GetOrSetOptions extends SetOptions {
  /** Loader timeouts. @default the cache's `timeouts` */
  timeouts?: LoaderTimeouts
  /** Serve stale when the loader fails. @default the cache's `staleIfError` */
  staleIfError?: boolean
  /** Distributed lock on a miss. @default the cache's `lock` */
  lock?: boolean | LockOptions
}

/** Options of invalidateTags(). */
export interface InvalidateTagsOptions {
  /** `true`: mark the tagged entries stale (served while one refresh runs, and on loader errors) instead of deleting them. @default false */
  soft?: boolean
}

/** Options of namespace(). */
export interface NamespaceOptions {
  /** Put a version number in the key prefix; bumpVersion() invalidates the whole namespace at once. @default false */
  versioned?: boolean
}

/** What an invalidation did. `ok` is false when Redis could not be reached (nothing thrown). */
export interface InvalidationResult {
  keys: number
  ok: boolean
}
