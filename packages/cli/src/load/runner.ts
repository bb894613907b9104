/**
 * Runs a plan with autocannon's programmatic API: one autocannon instance per step, every
 * request drawn by the scenario's picker in `setupRequest`, every response fed to the recorder.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { CliError } from '../errors.js'
import type { Plan, Step } from './plan.js'
import type { Recorder } from './recorder.js'
import type { RequestPicker } from './requests.js'

/** Key under which the drawn request's name rides in autocannon's per-connection context. */
const REQUEST_NAME = 'otelkitRequestName'

/**
 * The name of the request a connection's response answers. With one request in flight per
 * connection, the connection's context still holds the name set when that request was built.
 */
function requestNameOf(client: unknown): string | undefined {
  const context = (client as { requestIterator?: { context?: Record<string, unknown> } }).requestIterator
    ?.context
  const name = context?.[REQUEST_NAME]
  return typeof name === 'string' ? name : undefined
}

export interface RunOptions {
  url: string
  plan: Plan
  picker: RequestPicker
  recorder: Recorder
  /** Seconds to wait for a response. */
  timeoutSeconds: number
  onStep?: (step: Step, index: number) => void
  signal?: AbortSignal
}

/**
 * How a step ends. autocannon checks its stop flag on one-second ticks, and a rate-limited
 * connection sends each second's quota at the start of the second, so a duration alone may let
 * one more second's quota out. A rate-limited step therefore sends exactly rate x duration
 * requests (`amount`), with a stop at the duration as a bound when the target is slower; a
 * closed-loop step runs for its duration.
 */
function bounds(step: Step, rate: number | undefined, planAmount: number | undefined) {
  if (planAmount !== undefined) return { amount: planAmount, stopAfterMs: undefined }
  if (rate !== undefined) {
    return {
      amount: Math.max(1, Math.round(((step.rate ?? rate) * step.durationMs) / 1000)),
      stopAfterMs: Math.max(step.durationMs - 25, 1),
    }
  }
  return { duration: Math.max(step.durationMs - 25, 1) / 1000, stopAfterMs: undefined }
}

function runStep(options: RunOptions, step: Step): Promise<void> {
  const { picker, recorder } = options
  const rate = step.rate === undefined ? undefined : Math.max(1, Math.round(step.rate))
  const { stopAfterMs, ...limit } = bounds(step, rate, options.plan.amount)
  const opts = {
    url: options.url,
    connections: rate !== undefined ? Math.min(step.connections, rate) : step.connections,
    timeout: options.timeoutSeconds,
    ...limit,
    ...(rate !== undefined ? { overallRate: rate } : {}),
    requests: [
      {
        setupRequest: (req: autocannon.Request, context: Record<string, unknown>) => {
          const drawn = picker.next()
          context[REQUEST_NAME] = drawn.name
          return {
            ...req,
            method: drawn.method,
            path: drawn.path,
            headers: drawn.headers,
            body: drawn.body,
          } as never
        },
      },
    ],
    skipAggregateResult: true,
  } as autocannon.Options
  return new Promise<void>((resolve, reject) => {
    let instance: autocannon.Instance
    let timer: NodeJS.Timeout | undefined
    const stop = () => instance.stop()
    try {
      instance = autocannon(opts, (error) => {
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', stop)
        if (error)
          reject(
            new CliError('OTELKIT_CLI_LOAD_FAILED', `load run failed: ${error.message}`, { cause: error }),
          )
        else resolve()
      })
    } catch (error) {
      reject(
        new CliError('OTELKIT_CLI_LOAD_FAILED', `load run failed: ${(error as Error).message}`, {
          cause: error,
        }),
      )
      return
    }
    if (stopAfterMs !== undefined) timer = setTimeout(stop, stopAfterMs)
    options.signal?.addEventListener('abort', stop, { once: true })
    instance.on('response', (client, statusCode, resBytes, responseTime) => {
      recorder.recordResponse(statusCode, resBytes, responseTime, requestNameOf(client))
    })
    instance.on('reqError', (error: Error) => recorder.recordError(error))
  })
}

export async function runPlan(options: RunOptions): Promise<void> {
  for (const [index, step] of options.plan.steps.entries()) {
    if (options.signal?.aborted) return
    options.onStep?.(step, index)
    if (step.rate !== undefined && step.rate < 0.5) {
      await sleep(step.durationMs, undefined, { signal: options.signal }).catch(() => undefined)
      continue
    }
    const started = performance.now()
    await runStep(options, step)
    // A rate-limited step that sent its quota early idles out its time, so stages keep their pace.
    const left = step.durationMs - (performance.now() - started)
    if (step.rate !== undefined && options.plan.amount === undefined && left > 0) {
      await sleep(left, undefined, { signal: options.signal }).catch(() => undefined)
    }
  }
}
