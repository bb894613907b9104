/**
 * The ops server's route table. Features (metrics, health, debug endpoints) register handlers
 * here; the server looks routes up per request, so registration order does not matter.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { OtelkitError } from '../errors.js'

export type OpsHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>

/** Options of one ops route. */
export interface OpsRouteOptions {
  /**
   * A debug route: served only when `OTELKIT_DEBUG_TOKEN` is set, and only to requests carrying
   * `Authorization: Bearer <token>`; 404 otherwise.
   * @default false
   */
  debug?: boolean
}

interface OpsRoute {
  handler: OpsHandler
  debug: boolean
}

const routes = new Map<string, OpsRoute>()

/** Registers (or replaces) the handler of an exact path on the ops server. */
export function registerOpsRoute(path: string, handler: OpsHandler, options: OpsRouteOptions = {}): void {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new OtelkitError(
      'OTELKIT_OPS_ROUTE_INVALID',
      `ops route path must start with "/", got ${JSON.stringify(path)}`,
    )
  }
  routes.set(path, { handler, debug: options.debug === true })
}

/** Removes a route; used on shutdown. */
export function unregisterOpsRoute(path: string): void {
  routes.delete(path)
}

export function findOpsRoute(path: string): OpsRoute | undefined {
  return routes.get(path)
}

export function listOpsRoutes(): string[] {
  return [...routes.keys()].sort()
}
