/**
 * HTTP response caching decisions, shared by the Express, Fastify and node:http adapters. Uses
 * http-cache-semantics for Cache-Control / Vary / freshness and adds otelkit's stricter rules:
 * requests with Authorization or cookies, responses with Set-Cookie, `private`, `no-cache` or
 * `Vary: *` are never stored unless a route opts in with a principal key (Set-Cookie: never).
 */
import { createHash } from 'node:crypto'
import CachePolicy from 'http-cache-semantics'
import type { Cache } from '../cache.js'
import { type Duration, toMs } from '../duration.js'
import { InvalidOptionsError } from '../errors.js'

/** The request fields the decisions need (IncomingMessage and Fastify's request.raw fit). */
export interface RequestLike {
  method?: string | undefined
  url?: string | undefined
  headers: Record<string, string | string[] | undefined>
}

/** Options of cacheResponses() (Express, Fastify and node:http alike). */
export interface ResponseCacheOptions {
  /** Freshness when the response sets no max-age, s-maxage or Expires. @default '60s' */
  ttl?: Duration
  /** Grace period served as STALE while the next request refreshes, when the response has no stale-while-revalidate. @default 0 */
  staleTtl?: Duration
  /** Tags for cache.invalidateTags(), fixed or per request. @default [] */
  tags?: readonly string[] | ((req: RequestLike) => readonly string[])
  /** Largest body that is buffered and stored; larger responses stream through uncached. @default 1048576 (1 MiB) */
  maxBodyBytes?: number
  /** Status codes that may be stored. @default [200, 203, 204, 300, 301, 308, 404, 410] */
  statuses?: readonly number[]
  /** Replaces the default key (method + normalised URL with sorted query). @default undefined */
  key?: (req: RequestLike) => string
  /**
   * Opt-in for authenticated traffic: returns the principal (user id, tenant...) that is added to the
   * key, so requests with Authorization or cookies and `private` responses are cached per principal.
   * Returning undefined bypasses the cache for that request. @default undefined (never cache them)
   */
  principal?: (req: RequestLike) => string | undefined
  /** Route label for the otelkit.cache.http.requests metric. @default the framework's route template, else 'unknown' */
  route?: string
  /** Add a weak ETag (hash of the body) to stored responses that have none. @default true */
  etag?: boolean
}

export interface ResolvedResponseOptions {
  ttl: number
  staleTtl: number
  tags: (req: RequestLike) => readonly string[]
  maxBodyBytes: number
  statuses: ReadonlySet<number>
  key: ((req: RequestLike) => string) | undefined
  principal: ((req: RequestLike) => string | undefined) | undefined
  route: string | undefined
  etag: boolean
}

/** A stored response. */
export interface StoredResponse {
  s: number
  h: Record<string, string | string[]>
  b: Buffer
  p: CachePolicy.CachePolicyObject
  e: string | undefined
  /** Time it was stored (ms). */
  t: number
}

interface VaryIndex {
  vary: string
}

export type Decision =
  | { kind: 'bypass' }
  | {
      kind: 'hit' | 'stale'
      status: number
      headers: Record<string, string | string[]>
      body: Buffer
      notModified: boolean
    }
  | {
      kind: 'miss'
      baseKey: string
      principal: string | undefined
      /** A stored response that may replace a 5xx from the handler (stale-if-error, or a failed SWR refresh). */
      fallback?: Fallback | undefined
    }

/** A stale response to serve instead of a server error. */
export interface Fallback {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
}

const NEVER_STORED_HEADERS = new Set([
  'set-cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-cache',
  'age',
  'date',
])
const refreshes = new WeakMap<Cache, Set<string>>()
/** Stores still being written, by base key: a lookup of the same key waits for them. */
const pendingStores = new WeakMap<Cache, Map<string, Promise<boolean>>>()

export function resolveResponseOptions(options: ResponseCacheOptions = {}): ResolvedResponseOptions {
  const tags = options.tags
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576
  if (!(maxBodyBytes > 0)) throw new InvalidOptionsError('maxBodyBytes must be a positive number')
  return {
    ttl: toMs(options.ttl ?? 60_000, 'ttl'),
    staleTtl: toMs(options.staleTtl ?? 0, 'staleTtl'),
    tags: typeof tags === 'function' ? tags : () => tags ?? [],
    maxBodyBytes,
    statuses: new Set(options.statuses ?? [200, 203, 204, 300, 301, 308, 404, 410]),
    key: options.key,
    principal: options.principal,
    route: options.route,
    etag: options.etag ?? true,
  }
}

/** Normalised URL: path as sent, query parameters sorted by name then value. */
export function normaliseUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = new URLSearchParams(url.slice(q + 1))
  const entries = [...params].sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  )
  const query = new URLSearchParams(entries).toString()
  return query === '' ? url.slice(0, q) : `${url.slice(0, q)}?${query}`
}

function hasCookieOrAuth(req: RequestLike): boolean {
  return req.headers.authorization !== undefined || req.headers.cookie !== undefined
}

function cacheControl(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : ''
}

/** Decides how to serve a request: from cache (hit / stale, maybe 304), or from the handler (miss / bypass). */
export async function lookup(
  cache: Cache,
  options: ResolvedResponseOptions,
  req: RequestLike,
): Promise<Decision> {
  const method = req.method ?? 'GET'
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'bypass' }
  const reqCc = cacheControl(req.headers['cache-control'])
  if (/(^|,)\s*no-store\b/i.test(reqCc)) return { kind: 'bypass' }
  let principal: string | undefined
  if (options.principal) {
    principal = options.principal(req)
    if (principal === undefined && hasCookieOrAuth(req)) return { kind: 'bypass' }
  } else if (hasCookieOrAuth(req)) {
    return { kind: 'bypass' }
  }
  const base = options.key ? options.key(req) : `GET ${normaliseUrl(req.url ?? '/')}`
  const baseKey = principal === undefined ? `http:${base}` : `http:${base}|principal:${principal}`
  const writing = pendingStores.get(cache)?.get(baseKey)
  if (writing !== undefined) await writing
  let stored = await cache.get<StoredResponse | VaryIndex>(baseKey)
  if (stored !== undefined && 'vary' in stored)
    stored = await cache.get<StoredResponse>(variantKey(baseKey, stored.vary, req))
  if (stored === undefined || !('s' in stored)) return { kind: 'miss', baseKey, principal }
  const pending = refreshes.get(cache)
  if (pending?.has(baseKey)) {
    // this request refreshes a stale entry; if the handler fails, the stale response is served
    pending.delete(baseKey)
    return { kind: 'miss', baseKey, principal, fallback: fallbackOf(stored) }
  }
  const policy = CachePolicy.fromObject(stored.p)
  const evaluation = policy.evaluateRequest(asPolicyRequest(req))
  const staleIfError = staleIfErrorAllows(stored, policy, reqCc)
  if (!evaluation.response) {
    return { kind: 'miss', baseKey, principal, fallback: staleIfError ? fallbackOf(stored) : undefined }
  }
  let kind: 'hit' | 'stale' = 'hit'
  if (evaluation.revalidation) {
    if (evaluation.revalidation.synchronous) {
      return { kind: 'miss', baseKey, principal, fallback: staleIfError ? fallbackOf(stored) : undefined }
    }
    kind = 'stale'
    let set = refreshes.get(cache)
    if (!set) {
      set = new Set()
      refreshes.set(cache, set)
    }
    if (set.size < 10_000) set.add(baseKey)
  }
  const headers: Record<string, string | string[]> = { ...stored.h }
  const age = Math.max(0, Math.floor((Date.now() - stored.t) / 1000)) + (Number(stored.h.age) || 0)
  headers.age = String(age)
  headers['x-cache'] = kind === 'hit' ? 'HIT' : 'STALE'
  if (stored.e !== undefined) headers.etag = stored.e
  const inm = req.headers['if-none-match']
  const notModified = stored.e !== undefined && typeof inm === 'string' && etagMatches(inm, stored.e)
  return { kind, status: stored.s, headers, body: stored.b, notModified }
}

/** True while the stored response is within its `stale-if-error` window (response or request directive). */
function staleIfErrorAllows(stored: StoredResponse, policy: CachePolicy, reqCc: string): boolean {
  const fromResponse = /stale-if-error\s*=\s*(\d+)/i.exec(cacheControl(stored.h['cache-control']))
  const fromRequest = /stale-if-error\s*=\s*(\d+)/i.exec(reqCc)
  const window = Math.max(Number(fromResponse?.[1] ?? 0), Number(fromRequest?.[1] ?? 0))
  if (window === 0) return false
  return policy.age() - policy.maxAge() <= window
}

function fallbackOf(stored: StoredResponse): Fallback {
  const headers: Record<string, string | string[]> = { ...stored.h }
  headers.age = String(Math.max(0, Math.floor((Date.now() - stored.t) / 1000)) + (Number(stored.h.age) || 0))
  headers['x-cache'] = 'STALE'
  if (stored.e !== undefined) headers.etag = stored.e
  return { status: stored.s, headers, body: stored.b }
}

/** Stores a finished response when every rule allows it. Returns true when stored. */
export function store(
  cache: Cache,
  options: ResolvedResponseOptions,
  req: RequestLike,
  decision: { baseKey: string; principal: string | undefined },
  status: number,
  rawHeaders: Record<string, unknown>,
  body: Buffer,
): Promise<boolean> {
  let map = pendingStores.get(cache)
  if (!map) {
    map = new Map()
    pendingStores.set(cache, map)
  }
  const pending = map
  const promise = storeNow(cache, options, req, decision, status, rawHeaders, body).finally(() => {
    if (pending.get(decision.baseKey) === promise) pending.delete(decision.baseKey)
  })
  pending.set(decision.baseKey, promise)
  return promise
}

async function storeNow(
  cache: Cache,
  options: ResolvedResponseOptions,
  req: RequestLike,
  decision: { baseKey: string; principal: string | undefined },
  status: number,
  rawHeaders: Record<string, unknown>,
  body: Buffer,
): Promise<boolean> {
  if (req.method !== 'GET') return false
  if (!options.statuses.has(status)) return false
  if (body.length > options.maxBodyBytes) return false
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (value === undefined) continue
    headers[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value)
  }
  if (headers['set-cookie'] !== undefined) return false
  const resCc = cacheControl(headers['cache-control'])
  if (/(^|,)\s*(no-store|no-cache|must-revalidate)\b/i.test(resCc)) return false
  const isPrivate = /(^|,)\s*private\b/i.test(resCc)
  if (isPrivate && decision.principal === undefined) return false
  const vary = cacheControl(headers.vary).toLowerCase()
  if (vary.split(',').some((v) => v.trim() === '*')) return false
  const explicit = /(^|,)\s*(s-maxage|max-age)\s*=/i.test(resCc) || headers.expires !== undefined
  const policyHeaders: Record<string, string | string[]> = { ...headers }
  const directives: string[] = resCc ? [resCc] : []
  if (!explicit) directives.push(`max-age=${Math.floor(options.ttl / 1000)}`)
  if (options.staleTtl > 0 && !/stale-while-revalidate/i.test(resCc)) {
    directives.push(`stale-while-revalidate=${Math.floor(options.staleTtl / 1000)}`)
  }
  if (directives.length > 0) policyHeaders['cache-control'] = directives.join(', ')
  const shared = decision.principal === undefined
  const policy = new CachePolicy(
    asPolicyRequest(req),
    { status, headers: policyHeaders },
    { shared, cacheHeuristic: 0 },
  )
  if (!policy.storable()) return false
  const ttl = policy.timeToLive()
  if (ttl <= 0) return false
  const policyCc = cacheControl(policyHeaders['cache-control'])
  const swrMatch = /stale-while-revalidate\s*=\s*(\d+)/i.exec(policyCc)
  const sieMatch = /stale-if-error\s*=\s*(\d+)/i.exec(policyCc)
  const staleMs = Math.max(Number(swrMatch?.[1] ?? 0), Number(sieMatch?.[1] ?? 0)) * 1000
  let etag = headers.etag as string | undefined
  if (etag === undefined && options.etag)
    etag = `W/"${createHash('sha1').update(body).digest('base64url').slice(0, 27)}"`
  for (const name of NEVER_STORED_HEADERS) delete headers[name]
  delete headers.etag
  const entry: StoredResponse = {
    s: status,
    h: headers,
    b: body,
    p: policy.toObject(),
    e: etag,
    t: Date.now(),
  }
  const tags = options.tags(req)
  const setOptions = { ttl, staleTtl: staleMs, tags, jitter: 0 }
  if (vary !== '') {
    await cache.set(decision.baseKey, { vary } satisfies VaryIndex, { ttl: ttl + staleMs, tags, jitter: 0 })
    await cache.set(variantKey(decision.baseKey, vary, req), entry, setOptions)
  } else {
    await cache.set(decision.baseKey, entry, setOptions)
  }
  return true
}

function variantKey(baseKey: string, vary: string, req: RequestLike): string {
  const parts: string[] = []
  for (const name of vary.split(',')) {
    const n = name.trim()
    if (n === '') continue
    const v = req.headers[n]
    parts.push(`${n}=${Array.isArray(v) ? v.join(',') : (v ?? '')}`)
  }
  return `${baseKey}|vary:${createHash('sha1').update(parts.join('\n')).digest('base64url')}`
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  const weak = (t: string) => t.trim().replace(/^W\//, '')
  const target = weak(etag)
  return header.split(',').some((t) => weak(t) === target)
}

function asPolicyRequest(req: RequestLike): CachePolicy.Request {
  return { method: 'GET', url: normaliseUrl(req.url ?? '/'), headers: req.headers as CachePolicy.Headers }
}
