/**
 * Fastify response caching, per route: spread the hooks into the route options,
 * `app.get('/products', { ...cacheResponses(cache, { ttl: '30s', tags: ['products'] }) }, handler)`.
 * onRequest serves hits; onSend stores misses (string, Buffer or stream payloads, buffered up to
 * maxBodyBytes; a larger stream is passed on whole, uncached).
 */
import { PassThrough, Readable } from 'node:stream'
import type { Cache } from '../cache.js'
import { type RequestLike, type ResponseCacheOptions, resolveResponseOptions } from './options.js'
import { type Decision, lookup, store } from './policy.js'

export { normaliseUrl } from './key.js'
export type { RequestLike, ResponseCacheOptions } from './options.js'

interface FastifyRequestLike {
  raw: RequestLike
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  routeOptions?: { url?: string }
}
interface FastifyReplyLike {
  statusCode: number
  code(status: number): FastifyReplyLike
  header(name: string, value: unknown): FastifyReplyLike
  headers(values: Record<string, unknown>): FastifyReplyLike
  getHeaders(): Record<string, unknown>
  removeHeader(name: string): FastifyReplyLike
  send(payload?: unknown): FastifyReplyLike
}

const STATE = Symbol('otelkit.cache')
type WithState = FastifyRequestLike & { [STATE]?: Extract<Decision, { kind: 'miss' }> }

/** Route hooks: `{ onRequest, onSend }`. */
export function cacheResponses(cache: Cache, options: ResponseCacheOptions = {}) {
  const resolved = resolveResponseOptions(options)
  const telemetry = cache.core.telemetry
  const routeOf = (request: FastifyRequestLike) => resolved.route ?? request.routeOptions?.url ?? 'unknown'

  async function onRequest(request: WithState, reply: FastifyReplyLike): Promise<void> {
    const req: RequestLike = { method: request.method, url: request.url, headers: request.headers }
    const route = routeOf(request)
    let decision: Decision
    try {
      decision = await lookup(cache, resolved, req, route)
    } catch (error) {
      cache.core.log.warn('http-lookup', `response cache lookup failed: ${(error as Error)?.message}`)
      decision = { kind: 'bypass' }
    }
    if (decision.kind === 'hit' || decision.kind === 'stale') {
      telemetry.http(decision.kind, route)
      if (decision.notModified) {
        const h = decision.headers
        reply.code(304).headers({ 'x-cache': h['x-cache'], age: h.age, etag: h.etag })
        for (const name of ['cache-control', 'vary', 'expires', 'last-modified'])
          if (h[name]) reply.header(name, h[name])
        reply.send()
        return
      }
      reply.code(decision.status).headers(decision.headers)
      reply.send(request.method === 'HEAD' ? '' : decision.body)
      return
    }
    if (decision.kind === 'bypass') {
      telemetry.http('bypass', route)
      if (request.method === 'GET' || request.method === 'HEAD') reply.header('x-cache', 'BYPASS')
      return
    }
    telemetry.http('miss', route)
    reply.header('x-cache', 'MISS')
    request[STATE] = decision as Extract<Decision, { kind: 'miss' }>
  }

  async function onSend(request: WithState, reply: FastifyReplyLike, payload: unknown): Promise<unknown> {
    const decision = request[STATE]
    if (decision === undefined) return payload
    request[STATE] = undefined
    const req: RequestLike = { method: request.method, url: request.url, headers: request.headers }
    const fallback = decision.fallback
    if (fallback !== undefined && reply.statusCode >= 500) {
      // stale-if-error: serve the stored response instead of the server error
      telemetry.http('stale', routeOf(request))
      for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name)
      reply.code(fallback.status).headers(fallback.headers)
      return request.method === 'HEAD' ? '' : fallback.body
    }
    let body: Buffer | undefined
    let out = payload
    if (typeof payload === 'string') body = Buffer.from(payload)
    else if (Buffer.isBuffer(payload)) body = payload
    else if (payload === null || payload === undefined) body = Buffer.alloc(0)
    else if (payload instanceof Readable) {
      const read = await readUpTo(payload, resolved.maxBodyBytes)
      body = read.complete ? read.body : undefined
      out = read.complete ? read.body : read.stream
    }
    if (body !== undefined) {
      const status = reply.statusCode
      const headers = reply.getHeaders()
      store(cache, resolved, req, decision, status, headers, body).catch((error) =>
        cache.core.log.warn('http-store', `response cache store failed: ${(error as Error)?.message}`),
      )
    }
    return out
  }

  return { onRequest, onSend }
}

/** Reads a stream up to `max` bytes; past that returns a stream that replays what was read, then the rest. */
async function readUpTo(
  stream: Readable,
  max: number,
): Promise<{ complete: true; body: Buffer } | { complete: false; stream: Readable }> {
  const chunks: Buffer[] = []
  let size = 0
  const iterator = stream[Symbol.asyncIterator]()
  for (;;) {
    const { value, done } = await iterator.next()
    if (done) return { complete: true, body: Buffer.concat(chunks) }
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value)
    chunks.push(buf)
    size += buf.length
    if (size > max) {
      const rest = new PassThrough()
      for (const c of chunks) rest.write(c)
      ;(async () => {
        for (;;) {
          const next = await iterator.next()
          if (next.done) break
          if (!rest.write(next.value)) await new Promise((r) => rest.once('drain', r))
        }
        rest.end()
      })().catch((error) => rest.destroy(error))
      return { complete: false, stream: rest }
    }
  }
}
