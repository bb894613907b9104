/**
 * Options of cacheResponses() (Express, Fastify and node:http alike): the public type with its
 * defaults, and their validation into the resolved form the policy uses. A bad value throws an
 * InvalidOptionsError naming the option, the value and the accepted form.
 */
import { type Duration, toMs } from '../duration.js'
import { nameList, oneOf, positiveInteger } from '../validate.js'
import { REFLECTED_HEADERS } from './key.js'
import { VariantBound } from './variants.js'

/** The request fields the decisions need (IncomingMessage and Fastify's request.raw fit). */
export interface RequestLike {
  method?: string | undefined
  url?: string | undefined
  headers: Record<string, string | string[] | undefined>
}

/** Defaults of the response cache options (the README table lists the same). */
export const RESPONSE_DEFAULTS = {
  ttl: 60_000,
  staleTtl: 0,
  maxBodyBytes: 1_048_576,
  statuses: [200, 203, 204, 300, 301, 308, 404, 410],
  unlistedQuery: 'bypass',
  reflectedHeaders: REFLECTED_HEADERS,
  onReflectedHeader: 'key',
  maxVariants: 10_000,
  etag: true,
} as const

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
  /** Replaces the method + URL part of the key (reflected headers and the principal are still added). @default undefined */
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
  /**
   * The query parameters the response depends on (case-sensitive names). Only these are part of the
   * key; a request with any other parameter is handled as `unlistedQuery` says.
   * @default undefined (every parameter is part of the key)
   */
  varyQuery?: readonly string[]
  /**
   * With `varyQuery`, what a request carrying another parameter does: `'bypass'` (served by the
   * handler, not stored: safe whatever the handler reads) or `'ignore'` (the parameter is left out of
   * the key: use it only for parameters the handler never reads, such as `utm_*`). @default 'bypass'
   */
  unlistedQuery?: 'bypass' | 'ignore'
  /**
   * Request headers that apps commonly reflect into responses (absolute URLs, redirects) although
   * no Vary names them. A request carrying any of them is handled as `onReflectedHeader` says.
   * @default ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-prefix', 'forwarded', 'x-original-url', 'x-rewrite-url', 'x-http-method-override']
   */
  reflectedHeaders?: readonly string[]
  /**
   * `'key'`: their values become part of the key (a response built from X-Forwarded-Host is only
   * served to requests with the same X-Forwarded-Host); `'bypass'`: such requests bypass the cache.
   * @default 'key'
   */
  onReflectedHeader?: 'key' | 'bypass'
  /**
   * Most responses this route keeps stored at once (distinct URLs, Vary variants and principals),
   * counted per process. Past it, a request for a new one bypasses the cache, counted in
   * otelkit.cache.writes.skipped{reason=too_many_variants}. @default 10000
   */
  maxVariants?: number
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
  varyQuery: ReadonlySet<string> | undefined
  unlistedQuery: 'bypass' | 'ignore'
  reflectedHeaders: readonly string[]
  onReflectedHeader: 'key' | 'bypass'
  variants: VariantBound
}

export function resolveResponseOptions(options: ResponseCacheOptions = {}): ResolvedResponseOptions {
  const d = RESPONSE_DEFAULTS
  const tags = options.tags
  const varyQuery = nameList('varyQuery', options.varyQuery, "['page', 'sort']")
  const reflected = nameList('reflectedHeaders', options.reflectedHeaders, "['x-forwarded-host']")
  return {
    ttl: toMs(options.ttl ?? d.ttl, 'ttl'),
    staleTtl: toMs(options.staleTtl ?? d.staleTtl, 'staleTtl'),
    tags: typeof tags === 'function' ? tags : () => tags ?? [],
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, d.maxBodyBytes),
    statuses: new Set(options.statuses ?? d.statuses),
    key: options.key,
    principal: options.principal,
    route: options.route,
    etag: options.etag ?? d.etag,
    varyQuery: varyQuery === undefined ? undefined : new Set(varyQuery),
    unlistedQuery: oneOf('unlistedQuery', options.unlistedQuery, ['bypass', 'ignore'], d.unlistedQuery),
    reflectedHeaders: (reflected ?? d.reflectedHeaders).map((n) => n.toLowerCase()),
    onReflectedHeader: oneOf(
      'onReflectedHeader',
      options.onReflectedHeader,
      ['key', 'bypass'],
      d.onReflectedHeader,
    ),
    variants: new VariantBound(positiveInteger('maxVariants', options.maxVariants, d.maxVariants)),
  }
}
