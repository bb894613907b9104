/**
 * node:http response caching: `createServer(withResponseCache(cache, { ttl: '30s' }, handler))`, or
 * `cacheResponses(cache, options)` as a `(req, res, next)` step for hand-rolled routers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Cache } from '../cache.js'
import { handleWithCache } from './capture.js'
import { type ResponseCacheOptions, resolveResponseOptions } from './options.js'

export { normaliseUrl } from './key.js'
export type { RequestLike, ResponseCacheOptions } from './options.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown

/** Wraps a node:http request handler with response caching. */
export function withResponseCache(cache: Cache, options: ResponseCacheOptions, handler: Handler): Handler {
  const step = cacheResponses(cache, options)
  return (req, res) => step(req, res, () => handler(req, res))
}

/** A `(req, res, next)` step that serves cached responses or caches what `next` produces. */
export function cacheResponses(cache: Cache, options: ResponseCacheOptions = {}) {
  const resolved = resolveResponseOptions(options)
  const route = resolved.route ?? 'unknown'
  return (req: IncomingMessage, res: ServerResponse, next: () => unknown): Promise<void> =>
    handleWithCache(cache, resolved, req, res, route, next)
}
