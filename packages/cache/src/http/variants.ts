/**
 * The per-route bound on stored responses (`maxVariants`): remembers which keys this process stored
 * for one cacheResponses() route, and until when; once the route holds `max` live responses, a
 * request for a new key bypasses the cache instead of adding one more. Keys are kept as short hashes,
 * so memory stays proportional to the bound whatever the URL length. Entries leave at their expiry
 * (tag or prefix invalidations are not seen: the count errs on the side of fewer stored responses).
 */
import { createHash } from 'node:crypto'

export class VariantBound {
  private readonly live = new Map<string, number>()
  /** Earliest expiry among `live` (a prune before it would free nothing). */
  private earliest = Number.POSITIVE_INFINITY

  constructor(readonly max: number) {}

  /** Live responses counted now. */
  get size(): number {
    return this.live.size
  }

  /** True when `key` is stored already or the route has room for one more. */
  allows(key: string, now: number): boolean {
    if (this.live.size < this.max) return true
    const id = digest(key)
    if ((this.live.get(id) ?? 0) > now) return true
    this.prune(now)
    return this.live.size < this.max || this.live.has(id)
  }

  /** Records a response stored under `key` until `expiresAt`; false (nothing recorded) when the route is full. */
  admit(key: string, expiresAt: number, now: number): boolean {
    const id = digest(key)
    if (!this.live.has(id) && this.live.size >= this.max) {
      this.prune(now)
      if (this.live.size >= this.max) return false
    }
    this.live.set(id, expiresAt)
    if (expiresAt < this.earliest) this.earliest = expiresAt
    return true
  }

  private prune(now: number): void {
    if (now < this.earliest) return
    let earliest = Number.POSITIVE_INFINITY
    for (const [id, expiresAt] of this.live) {
      if (expiresAt <= now) this.live.delete(id)
      else if (expiresAt < earliest) earliest = expiresAt
    }
    this.earliest = earliest
  }
}

function digest(key: string): string {
  return createHash('sha1').update(key).digest('base64url').slice(0, 16)
}
