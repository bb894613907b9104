/**
 * Reading and writing entries in the tiers: one GET and a bounded decode for a read (a rejected
 * entry is a miss, counted and logged); encode, size checks, L1, then SET (+ tag sets) and a
 * coherence message for a write. Redis trouble never throws here.
 */
import type { Core } from './core.js'
import { checkJitter } from './core.js'
import { toMs } from './duration.js'
import { EntryRejectedError } from './entry-limits.js'
import { decodeEntry, type Entry, encodeEntry } from './envelope.js'
import { NotSerializableError } from './errors.js'
import type { SetOptions } from './options.js'

/** Redis could not be asked (down, not ready, breaker open, failed command). */
export const UNAVAILABLE = Symbol('unavailable')
export type L2Read = Entry | undefined | typeof UNAVAILABLE
export const NO_TAGS: readonly string[] = []

export async function readL2(core: Core, full: string): Promise<L2Read> {
  const store = core.store
  if (store === undefined) return UNAVAILABLE
  if (!store.usable(Date.now())) return UNAVAILABLE
  const started = store.begin()
  let data: Buffer | null
  try {
    data = await store.client.getBuffer(full)
  } catch (error) {
    store.fail('get', error)
    return UNAVAILABLE
  }
  store.ok('get', started)
  if (data === null) return undefined
  return decode(core, data)
}

/** Decodes an entry read from Redis; a malformed or oversized one is a miss (counted, logged). */
export function decode(core: Core, data: Buffer): Entry | undefined {
  try {
    return decodeEntry(data, core.serializer, core.limits)
  } catch (error) {
    const type = error instanceof EntryRejectedError ? error.type : 'entry_malformed'
    core.telemetry.error(type)
    core.log.warn(
      type,
      `cache "${core.name}": a stored entry was ${type === 'entry_too_large' ? 'too large' : 'malformed'} (${(error as Error)?.message}) and was treated as a miss`,
    )
    return undefined
  }
}

export async function writeEntry(
  core: Core,
  full: string,
  key: string,
  value: unknown,
  options: SetOptions | undefined,
  strict: boolean,
) {
  const ttl = options?.ttl !== undefined ? toMs(options.ttl, 'ttl') : core.ttl
  const staleTtl = options?.staleTtl !== undefined ? toMs(options.staleTtl, 'staleTtl') : core.staleTtl
  const jitter = options?.jitter !== undefined ? checkJitter(options.jitter) : core.jitter
  const tags = options?.tags ?? NO_TAGS
  const now = Date.now()
  const fresh = core.jittered(ttl, jitter)
  const staleAt = now + fresh
  const hardAt = staleAt + staleTtl
  let data: Buffer
  try {
    data = encodeEntry(value, staleAt, hardAt, core.serializer, core.compressAbove, core.limits)
  } catch (cause) {
    if (cause instanceof EntryRejectedError) {
      skipTooLarge(core, full, `${cause.message}: not stored`)
      return
    }
    const error = new NotSerializableError(key, cause)
    core.telemetry.error('serialization')
    if (strict) throw error
    core.log.warn('serialization', `cache "${core.name}": ${error.message}`)
    return
  }
  if (data.length > core.maxValueBytes) {
    skipTooLarge(
      core,
      full,
      `a ${data.length}-byte value exceeds maxValueBytes (${core.maxValueBytes}) and was not stored`,
    )
    return
  }
  if (hardAt <= now) return
  if (core.l1) {
    core.l1.set(full, value, staleAt, hardAt, data.length, now)
  }
  if (core.store) {
    const tagKeys = tags.length === 0 ? NO_TAGS : tags.map((t) => core.tagKey(t))
    await core.store.write(full, data, hardAt - now, tagKeys)
    if (core.bus) await core.bus.publish({ t: 'd', k: [full] })
  }
}

function skipTooLarge(core: Core, full: string, detail: string): void {
  core.telemetry.skippedWrite('too_large')
  core.log.warn('too-large', `cache "${core.name}": ${detail}`)
  core.l1?.delete(full)
}
