/**
 * HTTP(S) upstream check: one request on a fresh connection (no pooled socket outlives it),
 * `down` on an unexpected status, `degraded` when slower than `degradedLatencyMs`; the
 * request is aborted when the check times out.
 */
import { request as httpRequest } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { CheckOutcome, HealthCheck } from '../types.js'

/** Options of `health.checks.http()`. */
export interface HttpCheckOptions {
  /** @default 'GET' */
  method?: 'GET' | 'HEAD'
  /** Request headers (e.g. an auth token); never logged. @default {} */
  headers?: Record<string, string>
  /** Accepted status codes: a list, or a predicate. @default 200-399 */
  expectStatus?: number[] | ((status: number) => boolean)
  /** Time to response headers above which the check is `degraded`. @default undefined (off) */
  degradedLatencyMs?: number
}

export function http(url: string | URL, options: HttpCheckOptions = {}): HealthCheck {
  const target = new URL(String(url))
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new TypeError(`http check needs an http:// or https:// URL, got ${target.protocol}`)
  }
  const accepts = statusPredicate(options.expectStatus)
  const send = target.protocol === 'https:' ? process.getBuiltinModule('node:https').request : httpRequest
  return (signal) =>
    new Promise<CheckOutcome>((resolve, reject) => {
      const started = performance.now()
      const req = send(
        target,
        { method: options.method ?? 'GET', headers: options.headers, agent: false, signal },
        (res) => {
          const latencyMs = performance.now() - started
          res.resume()
          req.destroy()
          const status = res.statusCode ?? 0
          if (!accepts(status)) {
            resolve({ status: 'down', message: `unexpected HTTP status ${status}` })
          } else if (options.degradedLatencyMs !== undefined && latencyMs > options.degradedLatencyMs) {
            resolve({
              status: 'degraded',
              message: `slow: ${Math.round(latencyMs)} ms > ${options.degradedLatencyMs} ms`,
            })
          } else {
            resolve({ status: 'up' })
          }
        },
      )
      req.on('error', reject)
      req.end()
    })
}

function statusPredicate(expect: HttpCheckOptions['expectStatus']): (status: number) => boolean {
  if (typeof expect === 'function') return expect
  if (Array.isArray(expect)) return (status) => expect.includes(status)
  return (status) => status >= 200 && status < 400
}
