/**
 * HTTP response caching decisions, shared by the Express, Fastify and node:http adapters. Uses
 * http-cache-semantics for Cache-Control / Vary / freshness and adds otelkit's stricter rules:
 * requests with Authorization or cookies, responses with Set-Cookie, `private`, `no-cache` or
 * `Vary: *` are never stored unless a route opts in with a principal key (Set-Cookie: never);
 * keys (key.ts) cover the query as sent and commonly reflected headers; a route stores at most
 * `maxVariants` responses (variants.ts).
 */
import { createHash } from 'node:crypto'
import CachePolicy from 'http-cache-semantics'
import type { Cache } from '../cache.js'
import { keyedUrl, overridesToUnsafeMethod, principalPart, reflectedSuffix, reflectedValues } from './key.js'
import type { RequestLike, ResolvedResponseOptions } from './options.js'

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
  | typeof BYPASS
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
      /** The URL as keyed (normalised query, narrowed to varyQuery). */
      url: string
      /** The route label (metrics, warnings). */
      route: string
      /** A stored response that may replace a 5xx from the handler (stale-if-error, or a failed SWR refresh). */
      fallback?: Fallback | undefined
    }

/** A request the cache stays out of. */
const BYPASS = { kind: 'bypass' } as const

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
  route: string,
): Promise<Decision> {
  const method = req.method ?? 'GET'
  if (method !== 'GET' && method !== 'HEAD') return BYPASS
  const reqCc = cacheControl(req.headers['cache-control'])
  if (/(^|,)\s*no-store\b/i.test(reqCc)) return BYPASS
  let principal: string | undefined
  if (options.principal) {
    principal = options.principal(req)
    if (principal === undefined && hasCookieOrAuth(req)) return BYPASS
  } else if (hasCookieOrAuth(req)) {
    return BYPASS
  }
  if (overridesToUnsafeMethod(req)) return BYPASS
  const reflected = reflectedValues(req, options.reflectedHeaders)
  if (reflected.length > 0 && options.onReflectedHeader === 'bypass') return BYPASS
  const url = keyedUrl(req.url ?? '/', options.varyQuery, options.unlistedQuery)
  if (url === undefined) return BYPASS
  const base = options.key ? options.key(req) : `GET ${url}`
  const baseKey = `http:${base}${principalPart(principal)}${reflectedSuffix(reflected)}`
  const writing = pendingStores.get(cache)?.get(baseKey)
  if (writing !== undefined) await writing
  let storedKey = baseKey
  let stored = await cache.get<StoredResponse | VaryIndex>(baseKey)
  if (stored !== undefined && 'vary' in stored) {
    storedKey = variantKey(baseKey, stored.vary, req)
    stored = await cache.get<StoredResponse>(storedKey)
  }
  if (stored === undefined || !('s' in stored)) {
    if (!options.variants.allows(storedKey, Date.now())) {
      tooManyVariants(cache, options, route)
      return BYPASS
    }
    return { kind: 'miss', baseKey, principal, url, route }
  }
  const pending = refreshes.get(cache)
  if (pending?.has(baseKey)) {
    // this request refreshes a stale entry; if the handler fails, the stale response is served
    pending.delete(baseKey)
    return { kind: 'miss', baseKey, principal, url, route, fallback: fallbackOf(stored) }
  }
  const policy = CachePolicy.fromObject(stored.p)
  const evaluation = policy.evaluateRequest(asPolicyRequest(req, url))
  const staleIfError = staleIfErrorAllows(stored, policy, reqCc)
  // Not usable as it is, or only after a synchronous revalidation: a miss, with the stored
  // response as the fallback while stale-if-error allows it.
  if (!evaluation.response || evaluation.revalidation?.synchronous) {
    return {
      kind: 'miss',
      baseKey,
      principal,
      url,
      route,
      fallback: staleIfError ? fallbackOf(stored) : undefined,
    }
  }
  let kind: 'hit' | 'stale' = 'hit'
  if (evaluation.revalidation) {
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

/** What a miss carries to the store. */
type MissKey = Pick<Extract<Decision, { kind: 'miss' }>, 'baseKey' | 'principal' | 'url' | 'route'>

/** Counts, and warns about (rate-limited), a response not stored because its route is full. */
function tooManyVariants(cache: Cache, options: ResolvedResponseOptions, route: string): void {
  cache.core.telemetry.skippedWrite('too_many_variants', route)
  cache.core.log.warn(
    'http-variants',
    `cache "${cache.name}": route "${route}" holds maxVariants (${options.variants.max}) stored responses; requests for new URLs or variants bypass the cache`,
  )
}

/** Stores a finished response when every rule allows it. Returns true when stored. */
export function store(
  cache: Cache,
  options: ResolvedResponseOptions,
  req: RequestLike,
  decision: MissKey,
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
  decision: MissKey,
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
    asPolicyRequest(req, decision.url),
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
  const key = vary !== '' ? variantKey(decision.baseKey, vary, req) : decision.baseKey
  const now = Date.now()
  if (!options.variants.admit(key, now + ttl + staleMs, now)) {
    tooManyVariants(cache, options, decision.route)
    return false
  }
  const tags = options.tags(req)
  const setOptions = { ttl, staleTtl: staleMs, tags, jitter: 0 }
  if (vary !== '') {
    await cache.set(decision.baseKey, { vary } satisfies VaryIndex, { ttl: ttl + staleMs, tags, jitter: 0 })
    await cache.set(key, entry, setOptions)
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

function asPolicyRequest(req: RequestLike, url: string): CachePolicy.Request {
  return { method: 'GET', url, headers: req.headers as CachePolicy.Headers }
}
