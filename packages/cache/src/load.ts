/**
 * Loading on a miss: the loader with soft and hard timeouts, stale fallbacks, the distributed lock
 * (SET NX PX with a token, compare-and-delete release) and background refreshes (one per key).
 */
import { randomBytes } from 'node:crypto'
import type { Core, ResolvedLock } from './core.js'
import { toMs } from './duration.js'
import { readL2, UNAVAILABLE, writeEntry } from './entries.js'
import type { Entry } from './envelope.js'
import { LoaderTimeoutError, NotSerializableError } from './errors.js'
import type { GetOrSetOptions } from './options.js'
import { Telemetry } from './telemetry.js'
import { race, sleep, TIMED_OUT } from './timing.js'

/** A loader (factory): produces the value on a miss. Returning undefined stores nothing. */
export type Loader<T> = () => Promise<T> | T

export async function loadWithLock<T>(
  core: Core,
  full: string,
  key: string,
  loader: Loader<T>,
  options: GetOrSetOptions | undefined,
  lock: ResolvedLock,
): Promise<T> {
  const store = core.store!
  const lockKey = `${full}:__lock`
  const token = randomBytes(12).toString('base64url')
  const deadline = Date.now() + lock.wait
  for (;;) {
    const acquired = await store.acquire(lockKey, token, lock.ttl)
    if (acquired === undefined) return loadAndStore(core, full, key, loader, options, undefined)
    if (acquired) {
      try {
        const again = await readL2(core, full)
        if (again !== undefined && again !== UNAVAILABLE && again.staleAt > Date.now())
          return again.value as T
        return await loadAndStore(core, full, key, loader, options, undefined)
      } finally {
        await store.release(lockKey, token)
      }
    }
    await sleep(lock.poll)
    const entry = await readL2(core, full)
    if (entry !== undefined && entry !== UNAVAILABLE && entry.staleAt > Date.now()) {
      core.l1?.set(full, entry.value, entry.staleAt, entry.hardAt, entry.bytes, Date.now())
      return entry.value as T
    }
    if (entry === UNAVAILABLE || Date.now() >= deadline) {
      return loadAndStore(core, full, key, loader, options, undefined)
    }
  }
}

/** Runs the loader with soft/hard timeouts and stores its value; serves `stale` on failure when allowed. */

export async function loadAndStore<T>(
  core: Core,
  full: string,
  key: string,
  loader: Loader<T>,
  options: GetOrSetOptions | undefined,
  stale: Entry | undefined,
): Promise<T> {
  const soft =
    options?.timeouts?.soft !== undefined ? toMs(options.timeouts.soft, 'timeouts.soft') : core.softTimeout
  const hard =
    options?.timeouts?.hard !== undefined ? toMs(options.timeouts.hard, 'timeouts.hard') : core.hardTimeout
  const staleIfError = options?.staleIfError ?? core.staleIfError
  const span = core.telemetry.span('load')
  const started = performance.now()
  const run = (async () => {
    try {
      const value = await loader()
      core.telemetry.loader((performance.now() - started) / 1000, false)
      Telemetry.end(span, 'miss')
      return value
    } catch (error) {
      core.telemetry.loader((performance.now() - started) / 1000, true)
      core.telemetry.error('loader')
      Telemetry.end(span, 'miss', error)
      throw error
    }
  })()
  const stored = run.then(async (value) => {
    if (value !== undefined) await writeEntry(core, full, key, value, options, false)
    return value
  })
  let value: T
  try {
    if (stale !== undefined && soft !== undefined) {
      const first = await race(stored, soft)
      if (first === TIMED_OUT) {
        stored.catch(() => undefined)
        return stale.value as T
      }
      value = first as T
    } else if (hard !== undefined) {
      const first = await race(stored, hard)
      if (first === TIMED_OUT) {
        stored.catch(() => undefined)
        core.telemetry.error('loader_timeout')
        if (stale !== undefined && staleIfError) return stale.value as T
        throw new LoaderTimeoutError(key, hard)
      }
      value = first as T
    } else {
      value = await stored
    }
  } catch (error) {
    if (stale !== undefined && staleIfError && !(error instanceof NotSerializableError))
      return stale.value as T
    throw error
  }
  return value
}

/** Starts one background refresh of `full` (no-op if one is running). */

export function refresh<T>(
  core: Core,
  full: string,
  key: string,
  loader: Loader<T>,
  options?: GetOrSetOptions,
): void {
  if (core.refreshing.has(full)) return
  core.refreshing.add(full)
  const hard =
    options?.timeouts?.hard !== undefined ? toMs(options.timeouts.hard, 'timeouts.hard') : core.hardTimeout
  const run = async () => {
    const started = performance.now()
    try {
      const pending = Promise.resolve().then(loader)
      const value = hard === undefined ? await pending : await race(pending, hard)
      if (value === TIMED_OUT) {
        core.telemetry.error('loader_timeout')
        return
      }
      core.telemetry.loader((performance.now() - started) / 1000, false)
      if (value !== undefined) await writeEntry(core, full, key, value, options, false)
    } catch (error) {
      core.telemetry.loader((performance.now() - started) / 1000, true)
      core.telemetry.error('loader')
      core.log.warn(
        'refresh',
        `cache "${core.name}": background refresh failed: ${(error as Error)?.message ?? error}`,
      )
    } finally {
      core.refreshing.delete(full)
    }
  }
  void run()
}

/** Encodes and stores a value in L1 and Redis; `strict` throws on a non-serialisable value. */
