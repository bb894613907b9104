// Event-loop pause probe: a 2 ms interval for PROBE_MS (3000) after this script starts, printing
// as JSON the longest gap between two ticks and when it happened. What a preload does on timers
// after start-up (deferred loading, first export, first collection) shows up as a long gap.
const durationMs = Number(process.env.PROBE_MS ?? 3000)
const t0 = performance.now()
let last = t0
let worst = 0
let at = 0
const tick = setInterval(() => {
  const now = performance.now()
  if (now - last > worst) {
    worst = now - last
    at = now - t0
  }
  last = now
}, 2)
setTimeout(() => {
  clearInterval(tick)
  process.stdout.write(`${JSON.stringify({ worstGapMs: worst, atMs: at })}\n`)
  process.exit(0)
}, durationMs)
