/** Diagnostic output: each kind of problem is logged at most once per interval, with a suppressed count. */

/** Where the cache writes its diagnostics. */
export interface CacheLogger {
  warn(message: string): void
}

export const stderrLogger: CacheLogger = {
  warn: (message) => {
    try {
      process.stderr.write(`[otelkit] warn: ${message}\n`)
    } catch {
      // a broken stderr must never break the host
    }
  },
}

export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>()
  constructor(
    private readonly logger: CacheLogger,
    private readonly intervalMs: number,
  ) {}

  warn(kind: string, message: string): void {
    const now = Date.now()
    const entry = this.last.get(kind)
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++
      return
    }
    const suffix = entry && entry.suppressed > 0 ? ` (${entry.suppressed} similar suppressed)` : ''
    this.last.set(kind, { at: now, suppressed: 0 })
    try {
      this.logger.warn(`${message}${suffix}`)
    } catch {
      // a throwing logger must never break the host
    }
  }
}
