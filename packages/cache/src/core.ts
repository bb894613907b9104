/**
 * State shared by a cache and its namespaces: resolved options, the Redis store, the L1, the
 * coherence bus, in-flight loads (single-flight), telemetry and the rate-limited log.
 */
import { Breaker } from './breaker.js'
import { Bus, type BusMessage } from './bus.js'
import { optionalMs, toMs } from './duration.js'
import type { DecodeLimits } from './entry-limits.js'
import { InvalidOptionsError } from './errors.js'
import { L1 } from './l1.js'
import { RateLimitedLog, stderrLogger } from './logger.js'
import { type CacheOptions, DEFAULTS, type LockOptions } from './options.js'
import type { Serializer } from './serializer.js'
import { Store } from './store.js'
import { Telemetry } from './telemetry.js'
import { positiveInteger } from './validate.js'

export interface ResolvedLock {
  ttl: number
  wait: number
  poll: number
}

export class Core {
  readonly name: string
  readonly rootPrefix: string
  readonly ttl: number
  readonly staleTtl: number
  readonly jitter: number
  readonly serializer: Serializer | undefined
  readonly compressAbove: number
  readonly maxValueBytes: number
  /** Bounds on decoding stored entries (and on what is written, so it can be read back). */
  readonly limits: DecodeLimits
  readonly softTimeout: number | undefined
  readonly hardTimeout: number | undefined
  readonly staleIfError: boolean
  readonly lock: ResolvedLock | undefined
  readonly telemetry: Telemetry
  readonly log: RateLimitedLog
  readonly breaker: Breaker
  readonly store: Store | undefined
  readonly l1: L1 | undefined
  bus: Bus | undefined
  /** In-flight resolutions by full key (single-flight). */
  readonly flights = new Map<string, Promise<unknown>>()
  /** Keys with a background refresh running. */
  readonly refreshing = new Set<string>()
  /** Versioned namespaces by base prefix: current version, updated over the bus. */
  readonly versions = new Map<string, { version: number; listeners: Set<(v: number) => void> }>()
  closed = false

  constructor(options: CacheOptions) {
    this.name = options.name ?? DEFAULTS.name
    if (typeof this.name !== 'string' || this.name === '')
      throw new InvalidOptionsError('name must be a non-empty string')
    this.rootPrefix = options.prefix ?? `${this.name}:`
    this.ttl = toMs(options.ttl ?? DEFAULTS.ttl, 'ttl')
    this.staleTtl = toMs(options.staleTtl ?? DEFAULTS.staleTtl, 'staleTtl')
    this.jitter = checkJitter(options.jitter ?? DEFAULTS.jitter)
    this.serializer = options.serializer
    const compression = options.compression ?? false
    this.compressAbove =
      compression === false
        ? 0
        : compression === true
          ? DEFAULTS.compressionThreshold
          : (compression.threshold ?? DEFAULTS.compressionThreshold)
    this.maxValueBytes = positiveInteger('maxValueBytes', options.maxValueBytes, DEFAULTS.maxValueBytes)
    this.limits = {
      storedBytes: this.maxValueBytes,
      decodedBytes: positiveInteger('maxDecodedBytes', options.maxDecodedBytes, DEFAULTS.maxDecodedBytes),
      bigIntDigits: positiveInteger('maxBigIntDigits', options.maxBigIntDigits, DEFAULTS.maxBigIntDigits),
    }
    this.softTimeout = optionalMs(options.timeouts?.soft, 'timeouts.soft')
    this.hardTimeout = optionalMs(options.timeouts?.hard, 'timeouts.hard')
    this.staleIfError = options.staleIfError ?? DEFAULTS.staleIfError
    this.lock = resolveLock(options.lock ?? false)
    this.log = new RateLimitedLog(
      options.logger ?? stderrLogger,
      toMs(options.logInterval ?? DEFAULTS.logInterval, 'logInterval'),
    )
    const l1Options = options.l1 === true ? {} : options.l1 || undefined
    this.telemetry = new Telemetry(this.name, () =>
      this.l1 ? { entries: this.l1.size, bytes: this.l1.bytes } : undefined,
    )
    this.l1 = l1Options
      ? new L1(
          l1Options.maxEntries ?? DEFAULTS.l1MaxEntries,
          l1Options.maxBytes ?? DEFAULTS.l1MaxBytes,
          toMs(l1Options.maxTtl ?? DEFAULTS.l1MaxTtl, 'l1.maxTtl'),
          (n) => this.telemetry.evicted(n),
        )
      : undefined
    const b = options.breaker ?? {}
    this.breaker = new Breaker(
      b.threshold ?? DEFAULTS.breakerThreshold,
      toMs(b.resetAfter ?? DEFAULTS.breakerResetAfter, 'breaker.resetAfter'),
      toMs(b.maxResetAfter ?? DEFAULTS.breakerMaxResetAfter, 'breaker.maxResetAfter'),
      (state) =>
        this.log.warn(
          `breaker-${state}`,
          state === 'open'
            ? `cache "${this.name}": Redis circuit breaker opened; calls go straight to the loader`
            : `cache "${this.name}": Redis circuit breaker closed; Redis is used again`,
        ),
    )
    if (options.redis) {
      const timeout = toMs(options.commandTimeout ?? DEFAULTS.commandTimeout, 'commandTimeout')
      this.store = new Store(options.redis, timeout, this.breaker, this.telemetry, this.log)
      if (this.l1) this.startBus()
    }
  }

  /** Starts the pub/sub subscriber (L1 coherence and namespace versions); idempotent. */
  startBus(): Bus | undefined {
    if (this.bus || !this.store) return this.bus
    const store = this.store
    this.bus = new Bus(
      store.client,
      (channel, payload) => store.run('publish', undefined, (client) => client.publish(channel, payload)),
      `${this.rootPrefix}__bus`,
      (m) => this.onMessage(m),
      this.log,
    )
    return this.bus
  }

  private onMessage(message: BusMessage): void {
    const l1 = this.l1
    switch (message.t) {
      case 'd':
        if (l1) for (const k of message.k) l1.delete(k)
        break
      case 's':
        if (l1) {
          const now = Date.now()
          for (const k of message.k) l1.expire(k, now)
        }
        break
      case 'p':
        l1?.deletePrefix(message.p)
        break
      case 'v': {
        const state = this.versions.get(message.n)
        if (state && message.v > state.version) {
          state.version = message.v
          for (const fn of state.listeners) fn(message.v)
        }
        break
      }
    }
  }

  /** A TTL with jitter applied. */
  jittered(ttl: number, jitter: number): number {
    if (jitter === 0 || ttl === 0) return ttl
    return Math.max(1, Math.round(ttl * (1 + jitter * (2 * Math.random() - 1))))
  }

  tagKey(tag: string): string {
    return this.store?.isCluster ? `${this.rootPrefix}__tag:{${tag}}` : `${this.rootPrefix}__tag:${tag}`
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.bus?.close()
    await this.store?.close()
  }
}

export function resolveLock(lock: boolean | LockOptions): ResolvedLock | undefined {
  if (lock === false) return undefined
  const o = lock === true ? {} : lock
  return {
    ttl: toMs(o.ttl ?? DEFAULTS.lockTtl, 'lock.ttl'),
    wait: toMs(o.wait ?? DEFAULTS.lockWait, 'lock.wait'),
    poll: Math.max(1, toMs(o.poll ?? DEFAULTS.lockPoll, 'lock.poll')),
  }
}

export function checkJitter(jitter: number): number {
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) {
    throw new InvalidOptionsError(`jitter must be a number in [0, 1), got ${String(jitter)}`)
  }
  return jitter
}
