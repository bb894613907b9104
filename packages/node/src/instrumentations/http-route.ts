/**
 * Where a request's route template is kept: framework hooks (Express, Fastify) and users of plain
 * node:http set it with `setHttpRoute(req, '/orders/:id')`; the HTTP server instrumentation reads
 * it when the response ends. A request without one has no `http.route` (never the raw path).
 */
import type { IncomingMessage } from 'node:http'

export const HTTP_ROUTE = Symbol.for('otelkit.http.route')

type WithRoute = IncomingMessage & { [HTTP_ROUTE]?: string }

/** Sets the route template of a request, e.g. `setHttpRoute(req, '/orders/:id')`. */
export function setHttpRoute(req: IncomingMessage, template: string): void {
  if (typeof template === 'string' && template.length > 0) (req as WithRoute)[HTTP_ROUTE] = template
}

export function getHttpRoute(req: IncomingMessage): string | undefined {
  return (req as WithRoute)[HTTP_ROUTE]
}
