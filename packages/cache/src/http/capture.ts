/**
 * Response capture for node:http (and Express, which uses the same ServerResponse): serves cached
 * responses, and on a miss tees the body written by the handler into a buffer of at most
 * maxBodyBytes; when the response ends complete and storable, it is stored. Larger bodies stream
 * through untouched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Cache } from '../cache.js'
import type { ResolvedResponseOptions } from './options.js'
import { type Decision, lookup, store } from './policy.js'

/** Runs the cache in front of `next` (the handler). Never throws because of the cache. */
export async function handleWithCache(
  cache: Cache,
  options: ResolvedResponseOptions,
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
  next: () => unknown,
): Promise<void> {
  let decision: Decision
  try {
    decision = await lookup(cache, options, req, route)
  } catch (error) {
    cache.core.log.warn('http-lookup', `response cache lookup failed: ${(error as Error)?.message}`)
    decision = { kind: 'bypass' }
  }
  const telemetry = cache.core.telemetry
  if (decision.kind === 'hit' || decision.kind === 'stale') {
    telemetry.http(decision.kind, route)
    if (decision.notModified) {
      const h = decision.headers
      const keep: Record<string, string | string[]> = { 'x-cache': h['x-cache']!, age: h.age! }
      for (const name of ['etag', 'cache-control', 'vary', 'expires', 'last-modified', 'content-location']) {
        if (h[name] !== undefined) keep[name] = h[name]
      }
      res.writeHead(304, keep).end()
      return
    }
    res.writeHead(decision.status, { ...decision.headers, 'content-length': String(decision.body.length) })
    res.end(req.method === 'HEAD' ? undefined : decision.body)
    return
  }
  if (decision.kind === 'bypass') {
    telemetry.http('bypass', route)
    if (req.method === 'GET' || req.method === 'HEAD') res.setHeader('x-cache', 'BYPASS')
    next()
    return
  }
  telemetry.http('miss', route)
  const miss = decision as Extract<Decision, { kind: 'miss' }>
  res.setHeader('x-cache', 'MISS')
  const chunks: Buffer[] = []
  let size = 0
  let overflow = req.method !== 'GET'
  const write = res.write
  const end = res.end
  const collect = (chunk: unknown, encoding?: unknown) => {
    if (overflow || chunk === undefined || chunk === null || typeof chunk === 'function') return
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array)
    size += buf.length
    if (size > options.maxBodyBytes) {
      overflow = true
      chunks.length = 0
      return
    }
    chunks.push(buf)
  }
  const writeHead = res.writeHead
  const fallback = miss.fallback
  // stale-if-error: a 5xx from the handler is replaced by the stale response, before any byte is sent
  let replaced = false
  const replaceIfError = (status: number): boolean => {
    if (replaced) return true
    if (fallback === undefined || status < 500 || res.headersSent) return false
    replaced = true
    res.writeHead = writeHead
    res.write = write
    res.end = end
    for (const name of res.getHeaderNames()) res.removeHeader(name)
    telemetry.http('stale', route)
    res.writeHead(fallback.status, { ...fallback.headers, 'content-length': String(fallback.body.length) })
    res.end(req.method === 'HEAD' ? undefined : fallback.body)
    return true
  }
  if (fallback !== undefined) {
    res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
      if (replaceIfError(status)) return this
      return (writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...rest)
    } as ServerResponse['writeHead']
  }
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (replaceIfError(res.statusCode)) return true
    collect(chunk, rest[0])
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest)
  } as ServerResponse['write']
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (replaceIfError(res.statusCode)) {
      const callback = [chunk, ...rest].find((a) => typeof a === 'function') as (() => void) | undefined
      callback?.()
      return this
    }
    collect(chunk, rest[0])
    res.writeHead = writeHead
    res.write = write
    res.end = end
    const result = (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest)
    if (!overflow) {
      const body = Buffer.concat(chunks)
      store(cache, options, req, miss, res.statusCode, res.getHeaders(), body).catch((error) =>
        cache.core.log.warn('http-store', `response cache store failed: ${(error as Error)?.message}`),
      )
    }
    return result
  } as ServerResponse['end']
  next()
}
