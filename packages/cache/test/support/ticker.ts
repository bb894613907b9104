/**
 * Event-loop observer: a 1 ms interval in the test process that records the longest gap between two
 * of its ticks. Work that blocks the loop (a decode, a parse) shows up as a gap of about its length.
 * An observable for assertions with generous bounds, not a timing benchmark.
 */
export interface Ticker {
  /** Stops the interval and returns the longest gap seen, in milliseconds. */
  stop(): number
}

export function startTicker(): Ticker {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 1)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(longest, performance.now() - last)
    },
  }
}
