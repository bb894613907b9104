/** What a cache instance holds in its in-process L1 for a key (undefined when nothing), read without touching Redis. */
import type { Cache } from '../../src/index.js'

export function l1Value(cache: Cache, key: string): unknown {
  return cache.core.l1?.get(`${cache.keyPrefix}${key}`, Date.now())?.value
}
