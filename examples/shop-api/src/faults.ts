/**
 * Fault injection, off by default: a share of requests answered 500 before they reach a route,
 * so alerts, error tracking and tail sampling can be seen working on demand.
 *
 * - `FAULT_ERROR_RATE` (0..1, default 0): the share of requests failed from start-up.
 * - `FAULT_CONTROL=on` also enables `PUT /internal/faults?error_rate=<0..1>` to change that share
 *   while the service runs (and `GET /internal/faults` to read it). Without it the route does
 *   not exist. Never turn it on where untrusted clients reach the service.
 *
 * Paths under `/internal/` are never failed, so the control route and the pricing upstream
 * keep answering.
 */
import { type RequestHandler, Router } from 'express'
import { HttpError } from './http-errors.js'

/** The fault settings, from the environment. */
export interface FaultSettings {
  /** Share of requests failed with a 500, 0..1. */
  errorRate: number
  /** Whether `/internal/faults` may change it at run time. */
  control: boolean
}

/** Parses a share 0..1 (empty: 0), or throws a RangeError naming the setting and the accepted form. */
export function parseErrorRate(value: string | undefined, name: string): number {
  if (value === undefined || value.trim() === '') return 0
  const rate = Number(value)
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new RangeError(
      `${name} must be a number from 0 to 1 (the share of requests to fail), got "${value}"`,
    )
  }
  return rate
}

export function faultSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultSettings {
  return {
    errorRate: parseErrorRate(env.FAULT_ERROR_RATE, 'FAULT_ERROR_RATE'),
    control: env.FAULT_CONTROL === 'on',
  }
}

/** The middleware that fails requests, and the control router when enabled. */
export function faultInjection(settings: FaultSettings): { middleware: RequestHandler; router: Router } {
  let errorRate = settings.errorRate
  const middleware: RequestHandler = (req, _res, next) => {
    if (errorRate > 0 && !req.path.startsWith('/internal/') && Math.random() < errorRate) {
      next(new Error(`injected fault (FAULT_ERROR_RATE ${errorRate})`))
      return
    }
    next()
  }
  const router = Router()
  if (settings.control) {
    router.get('/internal/faults', (_req, res) => {
      res.json({ errorRate })
    })
    router.put('/internal/faults', (req, res) => {
      try {
        errorRate = parseErrorRate(String(req.query.error_rate ?? ''), 'error_rate')
      } catch (error) {
        throw new HttpError(400, (error as Error).message)
      }
      res.json({ errorRate })
    })
  }
  return { middleware, router }
}
