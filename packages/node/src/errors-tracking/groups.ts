/**
 * The error groups behind `/debug/errors`: one entry per fingerprint, kept in a bounded LRU
 * (the least recently seen group is evicted first), with capped message and stack lengths, so
 * memory stays bounded whatever the error rate or variety.
 */
import type { ErrorCategory, ErrorGroup } from './types.js'

export interface GroupLimits {
  maxGroups: number
  maxStackLength: number
  maxMessageLength: number
}

export interface Occurrence {
  fingerprint: string
  type: string
  category: ErrorCategory
  message: string
  route: string | undefined
  stack: string | undefined
  traceId: string | undefined
  /** Epoch milliseconds. */
  at: number
}

interface Entry {
  group: Omit<ErrorGroup, 'firstSeen' | 'lastSeen'>
  firstSeen: number
  lastSeen: number
}

function cap(value: string | undefined, max: number): string | undefined {
  if (value === undefined || value.length <= max) return value
  return `${value.slice(0, max)}…`
}

export class ErrorGroups {
  private readonly limits: GroupLimits
  /** Map iteration order is insertion order: re-inserting on every hit makes it an LRU. */
  private readonly entries = new Map<string, Entry>()
  private evicted = 0

  constructor(limits: GroupLimits) {
    this.limits = limits
  }

  record(o: Occurrence): void {
    const existing = this.entries.get(o.fingerprint)
    if (existing !== undefined) {
      this.entries.delete(o.fingerprint)
      existing.group.count++
      existing.group.message = cap(o.message, this.limits.maxMessageLength) ?? ''
      if (o.traceId !== undefined) existing.group.lastTraceId = o.traceId
      if (existing.group.stack === undefined && o.stack !== undefined) {
        existing.group.stack = cap(o.stack, this.limits.maxStackLength)
      }
      if (o.route !== undefined) existing.group.route = o.route
      existing.lastSeen = o.at
      this.entries.set(o.fingerprint, existing)
      return
    }
    this.entries.set(o.fingerprint, {
      group: {
        fingerprint: o.fingerprint,
        type: o.type,
        category: o.category,
        message: cap(o.message, this.limits.maxMessageLength) ?? '',
        route: o.route,
        count: 1,
        lastTraceId: o.traceId,
        stack: cap(o.stack, this.limits.maxStackLength),
      },
      firstSeen: o.at,
      lastSeen: o.at,
    })
    while (this.entries.size > this.limits.maxGroups) {
      const oldest = this.entries.keys().next().value as string
      this.entries.delete(oldest)
      this.evicted++
    }
  }

  /** Groups, most recently seen first. */
  list(): ErrorGroup[] {
    const out: ErrorGroup[] = []
    for (const e of this.entries.values()) {
      out.push({
        ...e.group,
        firstSeen: new Date(e.firstSeen).toISOString(),
        lastSeen: new Date(e.lastSeen).toISOString(),
      })
    }
    return out.reverse()
  }

  get size(): number {
    return this.entries.size
  }

  /** Groups evicted since start to stay within `maxGroups`. */
  get evictedCount(): number {
    return this.evicted
  }
}
