/**
 * Circuit breaker for Redis: after `threshold` consecutive failures it opens for `resetMs` (doubling
 * on each failed probe, up to `maxResetMs`); then one probe goes through (half-open); a success closes it.
 */

export class Breaker {
  private failures = 0
  private openUntil = 0
  private currentReset: number
  private probing = false
  /** Times the breaker went from closed to open (for tests and logs). */
  opened = 0

  constructor(
    private readonly threshold: number,
    private readonly resetMs: number,
    private readonly maxResetMs: number,
    private readonly onStateChange: (state: 'open' | 'closed') => void,
  ) {
    this.currentReset = resetMs
  }

  get isOpen(): boolean {
    return this.openUntil !== 0
  }

  /** True when a command may be sent now. */
  allow(now: number): boolean {
    if (this.openUntil === 0) return true
    if (now < this.openUntil || this.probing) return false
    this.probing = true
    return true
  }

  success(): void {
    if (this.failures === 0 && this.openUntil === 0) return
    this.failures = 0
    this.probing = false
    if (this.openUntil !== 0) {
      this.openUntil = 0
      this.currentReset = this.resetMs
      this.onStateChange('closed')
    }
  }

  failure(now: number): void {
    this.failures++
    if (this.probing) {
      this.probing = false
      this.currentReset = Math.min(this.currentReset * 2, this.maxResetMs)
      this.openUntil = now + this.currentReset
      return
    }
    if (this.openUntil === 0 && this.failures >= this.threshold) {
      this.openUntil = now + this.currentReset
      this.opened++
      this.onStateChange('open')
    }
  }
}
