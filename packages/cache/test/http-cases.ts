/**
 * The HTTP caching decision table: each case is a sequence of requests against one URL with the
 * response the handler gives, the expected X-Cache of each step, and the expected handler calls.
 * Handlers can reflect a request header or the raw query into the body (`echo`), as real apps do,
 * so a response served to the wrong request shows in the body.
 */
import { KEY_CASES } from './http-key-cases.js'

export interface Step {
  method?: string
  /** Appended to the case's path as sent (raw). */
  pathSuffix?: string
  query?: string
  headers?: Record<string, string>
  /** Expected X-Cache header (null: none). */
  xcache: 'HIT' | 'MISS' | 'STALE' | 'BYPASS' | null
  status?: number
  /** Wait this long before the step (freshness cases). */
  waitMs?: number
  /** Expect an empty body. */
  emptyBody?: boolean
  /** Expected body when it is not the case's body. */
  body?: string
}

export type RouteFamily = 'c' | 'p' | 's' | 'q' | 'i' | 'b' | 'v'

export interface HttpCase {
  name: string
  /**
   * Route family (options in http.test.ts): 'c' public routes, 'p' routes that opt in with a
   * principal key, 's' small maxBodyBytes, 'q' varyQuery (unlisted: bypass), 'i' varyQuery
   * (unlisted: ignore), 'b' reflected headers bypass, 'v' maxVariants 3.
   */
  route?: RouteFamily
  response: {
    /** The body ends with `|` and this request header's value, or with `|` and the raw query for '?'. */
    echo?: string
    status?: number
    headers?: Record<string, string>
    body?: string
    chunks?: string[]
    /** After this many calls the handler fails with a 500 (body 'boom', no caching headers). */
    failAfter?: number
  }
  /** Response header set from the request's If-None-Match on the first step (ETag cases). */
  steps: Step[]
  calls: number
}

export const CASES: HttpCase[] = [
  {
    name: 'plain GET 200 without Cache-Control uses the route ttl',
    response: {},
    steps: [{ xcache: 'MISS' }, { xcache: 'HIT' }],
    calls: 1,
  },
  {
    name: 'max-age=60 is stored',
    response: { headers: { 'cache-control': 'max-age=60' } },
    steps: [{ xcache: 'MISS' }, { xcache: 'HIT' }],
    calls: 1,
  },
  {
    name: 'Expires in the future is stored',
    response: { headers: { expires: new Date(Date.now() + 3_600_000).toUTCString() } },
    steps: [{ xcache: 'MISS' }, { xcache: 'HIT' }],
    calls: 1,
  },
  {
    name: 'request with Authorization is never cached',
    response: { headers: { 'cache-control': 'public, max-age=60' } },
    steps: [
      { headers: { authorization: 'Bearer a' }, xcache: 'BYPASS' },
      { headers: { authorization: 'Bearer a' }, xcache: 'BYPASS' },
    ],
    calls: 2,
  },
  {
    name: 'request with a cookie is never cached',
    response: {},
    steps: [
      { headers: { cookie: 'sid=1' }, xcache: 'BYPASS' },
      { headers: { cookie: 'sid=1' }, xcache: 'BYPASS' },
    ],
    calls: 2,
  },
  {
    name: 'a cached public response is not served to a request with a cookie',
    response: {},
    steps: [{ xcache: 'MISS' }, { headers: { cookie: 'sid=1' }, xcache: 'BYPASS' }, { xcache: 'HIT' }],
    calls: 2,
  },
  {
    name: 'response with Set-Cookie is not stored',
    response: { headers: { 'set-cookie': 'a=b' } },
    steps: [{ xcache: 'MISS' }, { xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'response Cache-Control: private is not stored',
    response: { headers: { 'cache-control': 'private, max-age=60' } },
    steps: [{ xcache: 'MISS' }, { xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'response no-store is not stored',
    response: { headers: { 'cache-control': 'no-store' } },
    steps: [{ xcache: 'MISS' }, { xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'response no-cache is not stored',
    response: { headers: { 'cache-control': 'no-cache' } },
    steps: [{ xcache: 'MISS' }, { xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'request no-store bypasses',
    response: {},
    steps: [
      { headers: { 'cache-control': 'no-store' }, xcache: 'BYPASS' },
      { xcache: 'MISS' },
      { headers: { 'cache-control': 'no-store' }, xcache: 'BYPASS' },
    ],
    calls: 3,
  },
  {
    name: 'request no-cache goes to the origin',
    response: {},
    steps: [{ xcache: 'MISS' }, { headers: { 'cache-control': 'no-cache' }, xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'request max-age=0 goes to the origin',
    response: { headers: { 'cache-control': 'max-age=60' } },
    steps: [{ xcache: 'MISS' }, { headers: { 'cache-control': 'max-age=0' }, xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'Vary: Accept-Language keeps one variant per language',
    response: { headers: { vary: 'Accept-Language' } },
    steps: [
      { headers: { 'accept-language': 'en' }, xcache: 'MISS' },
      { headers: { 'accept-language': 'fr' }, xcache: 'MISS' },
      { headers: { 'accept-language': 'en' }, xcache: 'HIT' },
      { headers: { 'accept-language': 'fr' }, xcache: 'HIT' },
    ],
    calls: 2,
  },
  {
    name: 'Vary: * is never stored',
    response: { headers: { vary: '*' } },
    steps: [{ xcache: 'MISS' }, { xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'If-None-Match matching the stored ETag gives 304',
    response: { headers: { etag: '"v1"' } },
    steps: [
      { xcache: 'MISS' },
      { headers: { 'if-none-match': '"v1"' }, xcache: 'HIT', status: 304, emptyBody: true },
    ],
    calls: 1,
  },
  {
    name: 'If-None-Match not matching gives the full 200',
    response: { headers: { etag: '"v1"' } },
    steps: [{ xcache: 'MISS' }, { headers: { 'if-none-match': '"v0"' }, xcache: 'HIT', status: 200 }],
    calls: 1,
  },
  {
    name: 'generated ETag (no ETag from the handler) gives 304',
    response: { headers: { 'x-no-etag': '1' } },
    steps: [
      { xcache: 'MISS' },
      { xcache: 'HIT' },
      { headers: { 'if-none-match': '*' }, xcache: 'HIT', status: 304, emptyBody: true },
    ],
    calls: 1,
  },
  {
    name: 'HEAD is served from the GET entry',
    response: {},
    steps: [{ xcache: 'MISS' }, { method: 'HEAD', xcache: 'HIT', emptyBody: true }],
    calls: 1,
  },
  {
    name: 'HEAD alone does not store',
    response: {},
    steps: [{ method: 'HEAD', xcache: 'MISS', emptyBody: true }, { xcache: 'MISS' }, { xcache: 'HIT' }],
    calls: 2,
  },
  {
    name: 'POST is never cached',
    response: {},
    steps: [
      { method: 'POST', xcache: null },
      { method: 'POST', xcache: null },
    ],
    calls: 2,
  },
  {
    name: '404 is stored (negative caching)',
    response: { status: 404 },
    steps: [
      { xcache: 'MISS', status: 404 },
      { xcache: 'HIT', status: 404 },
    ],
    calls: 1,
  },
  {
    name: '500 is not stored',
    response: { status: 500 },
    steps: [
      { xcache: 'MISS', status: 500 },
      { xcache: 'MISS', status: 500 },
    ],
    calls: 2,
  },
  {
    name: 's-maxage wins over max-age=0 in a shared cache',
    response: { headers: { 'cache-control': 'max-age=0, s-maxage=60' } },
    steps: [{ xcache: 'MISS' }, { xcache: 'HIT' }],
    calls: 1,
  },
  {
    name: 's-maxage=0 wins over max-age=60 in a shared cache',
    response: { headers: { 'cache-control': 'max-age=60, s-maxage=0' } },
    steps: [{ xcache: 'MISS' }, { xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'stale-while-revalidate serves STALE, then the next request refreshes',
    response: { headers: { 'cache-control': 'max-age=1, stale-while-revalidate=60' } },
    steps: [
      { xcache: 'MISS' },
      { xcache: 'HIT' },
      { waitMs: 2100, xcache: 'STALE' },
      { xcache: 'MISS' },
      { xcache: 'HIT' },
    ],
    calls: 2,
  },
  {
    name: 'query order does not matter (sorted query key)',
    response: {},
    steps: [
      { query: 'b=2&a=1', xcache: 'MISS' },
      { query: 'a=1&b=2', xcache: 'HIT' },
      { query: 'a=1&b=3', xcache: 'MISS' },
    ],
    calls: 2,
  },
  {
    name: 'a streamed (chunked) body is buffered and stored',
    response: { chunks: ['one,', 'two,', 'three'] },
    steps: [{ xcache: 'MISS' }, { xcache: 'HIT' }],
    calls: 1,
  },
  {
    name: 'a body over maxBodyBytes streams through uncached',
    route: 's',
    response: { body: 'x'.repeat(5000) },
    steps: [{ xcache: 'MISS' }, { xcache: 'MISS' }],
    calls: 2,
  },
  {
    name: 'principal opt-in: Authorization cached per principal',
    route: 'p',
    response: { headers: { 'cache-control': 'private, max-age=60' } },
    steps: [
      { headers: { authorization: 'Bearer alice' }, xcache: 'MISS' },
      { headers: { authorization: 'Bearer bob' }, xcache: 'MISS' },
      { headers: { authorization: 'Bearer alice' }, xcache: 'HIT' },
      { headers: { authorization: 'Bearer bob' }, xcache: 'HIT' },
    ],
    calls: 2,
  },
  {
    name: 'principal opt-in: Set-Cookie is still never stored',
    route: 'p',
    response: { headers: { 'set-cookie': 'a=b' } },
    steps: [
      { headers: { authorization: 'Bearer alice' }, xcache: 'MISS' },
      { headers: { authorization: 'Bearer alice' }, xcache: 'MISS' },
    ],
    calls: 2,
  },
  {
    name: 'stale-if-error: a failing handler is replaced by the stored response',
    response: { headers: { 'cache-control': 'max-age=1, stale-if-error=60' }, failAfter: 1 },
    steps: [{ xcache: 'MISS' }, { xcache: 'HIT' }, { waitMs: 2100, xcache: 'STALE' }, { xcache: 'STALE' }],
    calls: 3,
  },
  {
    name: 'without stale-if-error a failing handler’s 500 passes through',
    response: { headers: { 'cache-control': 'max-age=1' }, failAfter: 1 },
    steps: [
      { xcache: 'MISS' },
      { xcache: 'HIT' },
      { waitMs: 2100, xcache: 'MISS', status: 500, body: 'boom' },
    ],
    calls: 2,
  },
  {
    name: 'a failing stale-while-revalidate refresh keeps serving the stale response',
    response: { headers: { 'cache-control': 'max-age=1, stale-while-revalidate=60' }, failAfter: 1 },
    steps: [{ xcache: 'MISS' }, { waitMs: 2100, xcache: 'STALE' }, { xcache: 'STALE' }, { xcache: 'STALE' }],
    calls: 2,
  },
  ...KEY_CASES,
]

/** What the handler of a case answers to a request (its body, and the echoed value if any). */
export function bodyFor(c: HttpCase, query: string, header: (name: string) => string | undefined): string {
  const body = c.response.body ?? `body of case ${c.name}`
  if (c.response.echo === undefined) return body
  return `${body}|${c.response.echo === '?' ? query : (header(c.response.echo) ?? '')}`
}
