/**
 * Flushes telemetry when the process is told to stop, without changing how it stops: on
 * SIGTERM/SIGINT, if otelkit's handler is the only one, it flushes (bounded) and then re-raises
 * the signal so the process ends exactly as it would have without otelkit (exit code 128+n);
 * if the application handles the signal itself, otelkit flushes alongside and leaves the exit to
 * it. `beforeExit` flushes once as well.
 */
import { log } from '../logger.js'

const SIGNALS = ['SIGTERM', 'SIGINT'] as const

export interface Lifecycle {
  detach(): void
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms)
    timer.unref()
    promise.then(
      (v) => {
        clearTimeout(timer)
        resolve(v)
      },
      () => {
        clearTimeout(timer)
        resolve(undefined)
      },
    )
  })
}

export function attachLifecycle(flushAndShutdown: () => Promise<void>, timeoutMs: number): Lifecycle {
  let finished = false
  const finish = () => {
    if (finished) return Promise.resolve()
    finished = true
    return withTimeout(flushAndShutdown(), timeoutMs).then(() => undefined)
  }
  const handlers = new Map<string, () => void>()
  for (const signal of SIGNALS) {
    const handler = () => {
      const appHandlesIt = process.listenerCount(signal) > 1
      if (appHandlesIt) {
        void finish()
        return
      }
      void finish().then(() => {
        process.removeListener(signal, handler)
        process.kill(process.pid, signal)
      })
    }
    handlers.set(signal, handler)
    process.on(signal, handler)
  }
  const onBeforeExit = () => {
    if (finished) return
    void finish().catch((error: unknown) => log.debug(`flush on exit failed: ${String(error)}`))
  }
  process.on('beforeExit', onBeforeExit)
  return {
    detach() {
      for (const [signal, handler] of handlers) process.removeListener(signal, handler)
      process.removeListener('beforeExit', onBeforeExit)
    },
  }
}
