/**
 * Keeps per-statement statistics for /debug/queries (count, total, p50, p95, max by normalised
 * statement) and writes one structured log line per statement slower than the threshold.
 * Memory is bounded: at most `maxStatements` statements with a fixed ring of samples each.
 */
import { log } from '../logger.js'

const SAMPLES_PER_STATEMENT = 256

interface StatementStats {
  statement: string
  system: string
  count: number
  totalMs: number
  maxMs: number
  errors: number
  samples: Float64Array
  next: number
}

export interface QueryStatsRow {
  statement: string
  system: string
  count: number
  errors: number
  totalMs: number
  p50Ms: number
  p95Ms: number
  maxMs: number
}

export interface SlowQueryEvent {
  statement: string
  system: string
  durationMs: number
  traceId: string
  spanId: string
}

export class QueryTracker {
  /** By system, then by statement (no key string built per call). */
  private readonly stats = new Map<string, Map<string, StatementStats>>()
  private readonly maxStatements: number
  private readonly slowMs: number
  private readonly onSlow: (event: SlowQueryEvent) => void

  constructor(options: { slowMs: number; maxStatements?: number; onSlow?: (event: SlowQueryEvent) => void }) {
    this.slowMs = options.slowMs
    this.maxStatements = options.maxStatements ?? 500
    this.onSlow =
      options.onSlow ??
      ((event) =>
        log.warn('slow query', {
          'db.system.name': event.system,
          'db.query.text': event.statement,
          duration_ms: Math.round(event.durationMs * 100) / 100,
          trace_id: event.traceId,
          span_id: event.spanId,
        }))
  }

  /** Whether a statement of this duration is logged as slow (with its trace and span ids). */
  isSlow(durationMs: number): boolean {
    return this.slowMs > 0 && durationMs >= this.slowMs
  }

  record(
    system: string,
    statement: string,
    durationMs: number,
    failed: boolean,
    traceId: string,
    spanId: string,
  ): void {
    let bySystem = this.stats.get(system)
    if (bySystem === undefined) {
      bySystem = new Map()
      this.stats.set(system, bySystem)
    }
    let entry = bySystem.get(statement)
    if (entry === undefined) {
      if (this.statementCount() >= this.maxStatements) this.evictSmallest()
      entry = {
        statement,
        system,
        count: 0,
        totalMs: 0,
        maxMs: 0,
        errors: 0,
        samples: new Float64Array(SAMPLES_PER_STATEMENT),
        next: 0,
      }
      bySystem.set(statement, entry)
    }
    entry.count++
    entry.totalMs += durationMs
    if (durationMs > entry.maxMs) entry.maxMs = durationMs
    if (failed) entry.errors++
    entry.samples[entry.next % SAMPLES_PER_STATEMENT] = durationMs
    entry.next++
    if (this.isSlow(durationMs)) {
      this.onSlow({ statement, system, durationMs, traceId, spanId })
    }
  }

  private evictSmallest(): void {
    let victim: StatementStats | undefined
    for (const bySystem of this.stats.values()) {
      for (const entry of bySystem.values()) {
        if (victim === undefined || entry.totalMs < victim.totalMs) victim = entry
      }
    }
    if (victim !== undefined) this.stats.get(victim.system)?.delete(victim.statement)
  }

  /** Statements kept, over every system (a handful of systems: counted when a statement is new). */
  private statementCount(): number {
    let count = 0
    for (const bySystem of this.stats.values()) count += bySystem.size
    return count
  }

  /** Top statements by total time. */
  top(limit = 50): QueryStatsRow[] {
    return [...this.stats.values()]
      .flatMap((bySystem) => [...bySystem.values()])
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, limit)
      .map((e) => {
        const n = Math.min(e.next, SAMPLES_PER_STATEMENT)
        const sorted = Array.from(e.samples.subarray(0, n)).sort((a, b) => a - b)
        const q = (p: number) => round(sorted[Math.min(n - 1, Math.floor(p * n))] ?? 0)
        return {
          statement: e.statement,
          system: e.system,
          count: e.count,
          errors: e.errors,
          totalMs: round(e.totalMs),
          p50Ms: q(0.5),
          p95Ms: q(0.95),
          maxMs: round(e.maxMs),
        }
      })
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000
}
