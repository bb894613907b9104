/**
 * The Cache: get / set / delete / has / getOrSet, invalidation, namespaces and query caching.
 * Lookups go L1 (when enabled) then Redis with one GET; misses of one key in one process share one
 * loader call (single-flight), optionally one per cluster (lock). Redis trouble never throws: the
 * call falls through to the loader (fail open); misuse (bad key, TTL, value) throws a CacheError.
 */
import { type Core, resolveLock } from './core.js'
import { decode, readL2, UNAVAILABLE, writeEntry } from './entries.js'
import type { Entry } from './envelope.js'
import { CacheClosedError, InvalidKeyError } from './errors.js'
import { type Loader, loadAndStore, loadWithLock, refresh } from './load.js'
import type {
  GetOrSetOptions,
  InvalidateTagsOptions,
  InvalidationResult,
  NamespaceOptions,
  SetOptions,
} from './options.js'
import { type QueryOptions, type QueryResultLike, runCachedQuery } from './query.js'
import { Telemetry } from './telemetry.js'
import { race, TIMED_OUT } from './timing.js'

export type { Loader } from './load.js'

export class Cache {
  /** @internal */
  readonly core: Core
  private prefix: string
  private versionReady: Promise<void> | undefined

  /** @internal use createCache() */
  constructor(core: Core, prefix: string, versionBase?: string) {
    this.core = core
    this.prefix = prefix
    if (versionBase !== undefined) this.versionReady = this.loadVersion(versionBase)
  }

  /** The cache's name (the `cache.name` attribute). */
  get name(): string {
    return this.core.name
  }

  /** The Redis key prefix of this cache or namespace. */
  get keyPrefix(): string {
    return this.prefix
  }

  /** Resolves when Redis (and the pub/sub subscriber, if any) is connected, or after `timeoutMs`. */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const started = Date.now()
    const ok = this.core.store ? await this.core.store.ready(timeoutMs) : true
    const left = () => Math.max(0, timeoutMs - (Date.now() - started))
    const bus = this.core.bus
    if (bus && (await race(bus.ready(), left())) === TIMED_OUT) return false
    if (this.versionReady && (await race(this.versionReady, left())) === TIMED_OUT) return false
    return ok
  }

  /** A fresh value, or undefined. */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    const full = this.fullKey(key)
    if (this.versionReady) await this.versionReady
    const core = this.core
    const now = Date.now()
    const l1 = core.l1?.get(full, now)
    if (l1 !== undefined && l1.staleAt > now) {
      core.telemetry.request('hit', 'l1')
      return l1.value as T
    }
    // the L2 hit path, inlined (one GET, one await, no intermediate objects beyond the entry)
    const store = core.store
    let entry: Entry | undefined
    let reached = false
    const span = core.telemetry.span('get')
    if (store?.usable(now)) {
      const started = store.begin()
      let data: Buffer | null = null
      try {
        data = await store.client.getBuffer(full)
        store.ok('get', started)
        reached = true
      } catch (error) {
        store.fail('get', error)
      }
      if (data !== null) entry = decode(this.core, data)
    }
    if (entry !== undefined && entry.staleAt > now) {
      core.telemetry.request('hit', 'l2')
      core.l1?.set(full, entry.value, entry.staleAt, entry.hardAt, entry.bytes, now)
      Telemetry.end(span, 'hit')
      return entry.value as T
    }
    core.telemetry.request('miss', !reached && core.l1 !== undefined ? 'l1' : 'l2')
    Telemetry.end(span, 'miss')
    return undefined
  }

  /** True when a fresh value exists. */
  async has(key: string): Promise<boolean> {
    const full = this.fullKey(key)
    if (this.versionReady) await this.versionReady
    const now = Date.now()
    const l1 = this.core.l1?.get(full, now)
    if (l1 !== undefined && l1.staleAt > now) return true
    const entry = await readL2(this.core, full)
    return entry !== undefined && entry !== UNAVAILABLE && entry.staleAt > now
  }

  /** Stores a value. Throws NotSerializableError / InvalidDurationError on misuse; never because of Redis. */
  async set(key: string, value: unknown, options?: SetOptions): Promise<void> {
    const full = this.fullKey(key)
    if (this.versionReady) await this.versionReady
    await writeEntry(this.core, full, key, value, options, true)
  }

  /** Deletes keys (L1, Redis, and other instances' L1). */
  async delete(keys: string | readonly string[]): Promise<InvalidationResult> {
    const list = typeof keys === 'string' ? [keys] : keys
    if (this.versionReady) await this.versionReady
    const full = list.map((k) => this.fullKey(k))
    for (const k of full) this.core.l1?.delete(k)
    const n = this.core.store ? await this.core.store.unlink(full) : 0
    await this.core.bus?.publish({ t: 'd', k: full })
    return { keys: Math.max(0, n), ok: n >= 0 }
  }

  /**
   * The cached value, or the loader's (stored on the way). Concurrent misses of one key share one
   * loader call; stale values are served while one refresh runs.
   */
  getOrSet<T>(key: string, loader: Loader<T>, options?: GetOrSetOptions): Promise<T> {
    const full = this.fullKey(key)
    const core = this.core
    if (this.versionReady === undefined) {
      const now = Date.now()
      const l1 = core.l1?.get(full, now)
      if (l1 !== undefined && l1.staleAt > now) {
        core.telemetry.request('hit', 'l1')
        return Promise.resolve(l1.value as T)
      }
    }
    const inflight = core.flights.get(full)
    if (inflight !== undefined) return inflight as Promise<T>
    const promise = this.resolve(full, key, loader, options)
    core.flights.set(full, promise)
    const span = core.telemetry.span('getOrSet')
    promise.then(
      () => {
        core.flights.delete(full)
        Telemetry.end(span)
      },
      (error) => {
        core.flights.delete(full)
        Telemetry.end(span, undefined, error)
      },
    )
    return promise
  }

  /** Deletes (or, with `soft`, marks stale) every entry carrying one of `tags`. */
  async invalidateTags(
    tags: readonly string[],
    options?: InvalidateTagsOptions,
  ): Promise<InvalidationResult> {
    const store = this.core.store
    if (!store) {
      this.core.l1?.deletePrefix('')
      return { keys: 0, ok: true }
    }
    let keys = 0
    let ok = true
    const now = Date.now()
    for (const tag of tags) {
      const tagKey = this.core.tagKey(tag)
      const members = await store.tagMembers(tagKey)
      if (members === undefined) {
        ok = false
        continue
      }
      if (members.length === 0) continue
      const n = options?.soft ? await store.softExpire(members, now) : await store.unlink(members)
      if (n < 0) ok = false
      else {
        keys += n
        if (!options?.soft) await store.removeFromTag(tagKey, members)
      }
      for (const k of members) options?.soft ? this.core.l1?.expire(k, now) : this.core.l1?.delete(k)
      await this.core.bus?.publish({ t: options?.soft ? 's' : 'd', k: members })
    }
    return { keys, ok }
  }

  /** Deletes every key of this cache/namespace that starts with `prefix` (SCAN + UNLINK, never KEYS). */
  async invalidatePrefix(prefix: string): Promise<InvalidationResult> {
    if (this.versionReady) await this.versionReady
    return this.deleteUnder(this.prefix + prefix)
  }

  /** Deletes every key of this cache or namespace. */
  async clear(): Promise<InvalidationResult> {
    if (this.versionReady) await this.versionReady
    return this.deleteUnder(this.prefix)
  }

  /**
   * A namespace: same connections and options, keys under `${prefix}${name}:`. With `versioned`,
   * keys also carry a version number and bumpVersion() invalidates the namespace at once.
   */
  namespace(name: string, options?: NamespaceOptions): Cache {
    if (typeof name !== 'string' || name === '' || name.includes('\u0000')) throw new InvalidKeyError(name)
    const base = `${this.prefix}${name}:`
    if (!options?.versioned) return new Cache(this.core, base)
    this.core.startBus()
    return new Cache(this.core, base, base)
  }

  /** Invalidates a versioned namespace at once by moving it to a new version; returns the new version. */
  async bumpVersion(): Promise<number | undefined> {
    if (this.versionBase === undefined) return undefined
    if (this.versionReady) await this.versionReady
    const base = this.versionBase
    const store = this.core.store
    const next = store ? await store.run('version', undefined, (c) => c.incr(`${base}__version`)) : undefined
    const state = this.core.versions.get(base)!
    const version = next ?? state.version + 1
    if (version > state.version) {
      state.version = version
      for (const fn of state.listeners) fn(version)
    }
    this.core.l1?.deletePrefix(base)
    await this.core.bus?.publish({ t: 'v', n: base, v: version })
    return version
  }

  /**
   * Caches a database query's rows: `cache.query(pool, sql, params, { ttl, tags })`. Works with any
   * client whose `query(sql, params)` resolves to `{ rows }` (pg) or `[rows, fields]` (mysql2).
   */
  query<Row = Record<string, unknown>>(
    client: { query: (sql: string, params?: unknown[]) => Promise<unknown> },
    sql: string,
    params: readonly unknown[] = [],
    options?: QueryOptions,
  ): Promise<QueryResultLike<Row>> {
    return runCachedQuery<Row>(this, client, sql, params, options)
  }

  /** Closes the cache's own Redis connections (not the client you passed). */
  close(): Promise<void> {
    return this.core.close()
  }

  // ---- internals ----

  private versionBase: string | undefined

  private loadVersion(base: string): Promise<void> {
    this.versionBase = base
    const core = this.core
    let state = core.versions.get(base)
    if (!state) {
      state = { version: 0, listeners: new Set() }
      core.versions.set(base, state)
    }
    const s = state
    s.listeners.add((v) => {
      this.prefix = `${base}v${v}:`
    })
    this.prefix = `${base}v${s.version}:`
    const store = core.store
    if (!store) return Promise.resolve()
    return store.ready(2000).then(async () => {
      const raw = await store.run('version', undefined, (c) => c.get(`${base}__version`))
      const v = Number(raw ?? 0)
      if (Number.isFinite(v) && v > s.version) {
        s.version = v
        for (const fn of s.listeners) fn(v)
      }
      this.versionReady = undefined
    })
  }

  private fullKey(key: string): string {
    if (typeof key !== 'string' || key.length === 0 || key.length > 1024) throw new InvalidKeyError(key)
    if (this.core.closed) throw new CacheClosedError(this.core.name)
    return this.prefix + key
  }

  private async resolve<T>(
    full: string,
    key: string,
    loader: Loader<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    const core = this.core
    if (this.versionReady) {
      await this.versionReady
      if (this.prefix + key !== full) return this.getOrSet(key, loader, options)
    }
    const now = Date.now()
    const l1 = core.l1?.get(full, now)
    if (l1 !== undefined && l1.staleAt > now) {
      core.telemetry.request('hit', 'l1')
      return l1.value as T
    }
    const entry = await readL2(this.core, full)
    if (entry !== undefined && entry !== UNAVAILABLE) {
      if (entry.staleAt > now) {
        core.telemetry.request('hit', 'l2')
        core.l1?.set(full, entry.value, entry.staleAt, entry.hardAt, entry.bytes, now)
        return entry.value as T
      }
      core.telemetry.request('stale', 'l2')
      refresh(this.core, full, key, loader, options)
      return entry.value as T
    }
    // Redis has nothing or is unavailable: an L1 value past its fresh period is still a stale value
    const stale = l1 !== undefined ? (l1 as Entry) : undefined
    if (stale !== undefined && entry === UNAVAILABLE) {
      core.telemetry.request('stale', 'l1')
      refresh(this.core, full, key, loader, options)
      return stale.value as T
    }
    core.telemetry.request('miss', entry === UNAVAILABLE && core.l1 ? 'l1' : 'l2')
    const lock = options?.lock === undefined ? core.lock : resolveLock(options.lock)
    if (lock !== undefined && entry !== UNAVAILABLE)
      return loadWithLock(this.core, full, key, loader, options, lock)
    return loadAndStore(this.core, full, key, loader, options, stale)
  }

  private async deleteUnder(prefix: string): Promise<InvalidationResult> {
    this.core.l1?.deletePrefix(prefix)
    const store = this.core.store
    if (!store) return { keys: 0, ok: true }
    const keys = await store.scanPrefix(prefix)
    await this.core.bus?.publish({ t: 'p', p: prefix })
    if (keys === undefined) return { keys: 0, ok: false }
    let n = 0
    for (let i = 0; i < keys.length; i += 500) {
      const r = await store.unlink(keys.slice(i, i + 500))
      if (r < 0) return { keys: n, ok: false }
      n += r
    }
    return { keys: n, ok: true }
  }
}
