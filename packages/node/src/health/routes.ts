/**
 * HTTP handlers of liveness and readiness. `/healthz` answers 200 while the process and its
 * event loop answer (it runs no dependency check); `/readyz` runs the checks (coalesced) and
 * answers 200 when up or degraded, 503 when down, with each check's detail as JSON. The same
 * handlers mount in an Express app; `readiness()` gives framework-free results for others.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { globalRegistry } from './global.js'
import type { HealthRegistry } from './registry.js'
import type { HealthReport } from './types.js'

export interface ProbeResponse {
  statusCode: number
  body: Record<string, unknown>
}

/** Result of a liveness probe. */
export function liveness(): ProbeResponse {
  return { statusCode: 200, body: { status: 'up', uptimeSeconds: Math.round(process.uptime()) } }
}

/** Runs the checks (coalesced) and returns the readiness response. */
export async function readiness(registry: HealthRegistry = globalRegistry()): Promise<ProbeResponse> {
  const report: HealthReport = await registry.check()
  return { statusCode: report.status === 'down' ? 503 : 200, body: { ...report } }
}

function send(req: IncomingMessage, res: ServerResponse, response: ProbeResponse): void {
  const text = `${JSON.stringify(response.body)}\n`
  res.writeHead(response.statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  })
  res.end(req.method === 'HEAD' ? undefined : text)
}

/** Node/Express handler of liveness. */
export function livenessHandler(req: IncomingMessage, res: ServerResponse): void {
  send(req, res, liveness())
}

/** Node/Express handler of readiness on a registry (the global one by default). */
export function readinessHandler(registry: HealthRegistry = globalRegistry()) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    send(req, res, await readiness(registry))
  }
}

/**
 * Handlers for the application's own server: `app.get('/healthz', routes.healthz)` and
 * `app.get('/readyz', routes.readyz)` in Express or node:http. For Fastify, send
 * `await health.readiness()` with `reply.code(r.statusCode).send(r.body)`.
 */
export function healthRoutes(): {
  healthz: (req: IncomingMessage, res: ServerResponse) => void
  readyz: (req: IncomingMessage, res: ServerResponse) => Promise<void>
} {
  return { healthz: livenessHandler, readyz: readinessHandler() }
}
