/**
 * The in-process L1 of cache instances in tests: what an instance holds for a key (read without
 * touching Redis), and the check that one instance's write drops another's L1 copy over the bus.
 */
import { expect } from 'vitest'
import type { Cache } from '../../src/index.js'
import { eventually } from './redis.js'

export function l1Value(cache: Cache, key: string): unknown {
  return cache.core.l1?.get(`${cache.keyPrefix}${key}`, Date.now())?.value
}

/**
 * `reader` reads `keys` until its L1 holds `value` for each: the invalidation of the write that
 * stored `value` can reach `reader` over the bus after its first read, and drop the copy it made.
 */
export async function readUntilHeld(reader: Cache, keys: readonly string[], value: unknown): Promise<void> {
  await eventually(async () => {
    for (const key of keys) if (l1Value(reader, key) !== value) expect(await reader.get(key)).toBe(value)
    return keys.every((key) => l1Value(reader, key) === value)
  })
}

/**
 * `reader` keeps `key` in its L1 after reading `writer`'s value; `writer`'s next write reaches it
 * over the bus within `timeoutMs` and drops that copy, and `reader` then reads the new value.
 * The second write repeats until the copy goes (a bus that has just subscribed again may miss one).
 */
export async function expectWriteDropsL1Copy(
  writer: Cache,
  reader: Cache,
  key: string,
  timeoutMs: number,
): Promise<void> {
  await writer.set(key, 1)
  expect(await reader.get(key)).toBe(1)
  await readUntilHeld(reader, [key], 1)
  await eventually(async () => {
    await writer.set(key, 2)
    return l1Value(reader, key) === undefined
  }, timeoutMs)
  expect(await reader.get(key)).toBe(2)
}
