/**
 * The in-process tier: an LRU bounded by entry count and by bytes (the stored size of each entry).
 * A Map keeps insertion order; a hit moves the key to the end, eviction takes from the front.
 */

export interface L1Entry {
  value: unknown
  staleAt: number
  hardAt: number
  bytes: number
}

export class L1 {
  private readonly map = new Map<string, L1Entry>()
  private totalBytes = 0

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly maxTtl: number,
    private readonly onEvict: (count: number) => void,
  ) {}

  get size(): number {
    return this.map.size
  }

  get bytes(): number {
    return this.totalBytes
  }

  /** Returns the live entry (fresh or stale, not past hardAt) and marks it recently used. */
  get(key: string, now: number): L1Entry | undefined {
    const entry = this.map.get(key)
    if (entry === undefined) return undefined
    if (entry.hardAt <= now) {
      this.remove(key, entry)
      return undefined
    }
    this.map.delete(key)
    this.map.set(key, entry)
    return entry
  }

  set(key: string, value: unknown, staleAt: number, hardAt: number, bytes: number, now: number): void {
    if (bytes > this.maxBytes) return
    const cap = now + this.maxTtl
    const entry: L1Entry = {
      value,
      staleAt: Math.min(staleAt, cap),
      hardAt: Math.min(hardAt, cap),
      bytes,
    }
    const old = this.map.get(key)
    if (old !== undefined) this.remove(key, old)
    this.map.set(key, entry)
    this.totalBytes += bytes
    let evicted = 0
    while (this.map.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const first = this.map.keys().next()
      if (first.done) break
      this.remove(first.value, this.map.get(first.value)!)
      evicted++
    }
    if (evicted > 0) this.onEvict(evicted)
  }

  delete(key: string): void {
    const entry = this.map.get(key)
    if (entry !== undefined) this.remove(key, entry)
  }

  /** Marks an entry stale now (soft expiry); it stays servable until hardAt. */
  expire(key: string, now: number): void {
    const entry = this.map.get(key)
    if (entry !== undefined && entry.staleAt > now) entry.staleAt = now
  }

  /** Removes every key that starts with `prefix` (all keys for ''). */
  deletePrefix(prefix: string): void {
    if (prefix === '') {
      this.map.clear()
      this.totalBytes = 0
      return
    }
    for (const [key, entry] of this.map) if (key.startsWith(prefix)) this.remove(key, entry)
  }

  private remove(key: string, entry: L1Entry): void {
    this.map.delete(key)
    this.totalBytes -= entry.bytes
  }
}
