/**
 * Express response caching middleware, per route:
 * `app.get('/products', cacheResponses(cache, { ttl: '30s', tags: ['products'] }), handler)`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Cache } from '../cache.js'
import { handleWithCache } from './capture.js'
import { type ResponseCacheOptions, resolveResponseOptions } from './options.js'

export { normaliseUrl } from './key.js'
export type { RequestLike, ResponseCacheOptions } from './options.js'

type ExpressRequest = IncomingMessage & { originalUrl?: string; route?: { path?: unknown }; baseUrl?: string }

/** Express middleware that serves cached responses or caches what the next handlers produce. */
export function cacheResponses(cache: Cache, options: ResponseCacheOptions = {}) {
  const resolved = resolveResponseOptions(options)
  return function otelkitCacheResponses(
    req: ExpressRequest,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    const route =
      resolved.route ??
      (typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : 'unknown')
    // Express rewrites req.url inside routers; the key uses the full original URL.
    const view =
      req.originalUrl !== undefined && req.originalUrl !== req.url ? withUrl(req, req.originalUrl) : req
    handleWithCache(cache, resolved, view, res, route, () => next()).catch(next)
  }
}

function withUrl(req: IncomingMessage, url: string): IncomingMessage {
  return new Proxy(req, { get: (target, prop) => (prop === 'url' ? url : Reflect.get(target, prop, target)) })
}
