/**
 * The cache key of a request: `GET` + path + query parameters sorted by name (repeated names keep
 * the order they were sent in: `?a=2&a=1` is not `?a=1&a=2`), narrowed to `varyQuery` when a route
 * lists the parameters its response depends on; plus the values of request headers that apps and
 * frameworks commonly reflect into responses without naming them in Vary (X-Forwarded-Host...), so
 * a response built from them is only ever served to requests that carry the same values. `|`
 * separates the parts of a key, so no part taken from the request may contain one.
 */
import { createHash } from 'node:crypto'
import type { RequestLike } from './options.js'

/** Headers commonly reflected into responses (absolute URLs, redirects, rewritten paths, methods) but never in Vary. */
export const REFLECTED_HEADERS: readonly string[] = [
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-prefix',
  'forwarded',
  'x-original-url',
  'x-rewrite-url',
  'x-http-method-override',
]

const SAFE_METHODS = new Set(['GET', 'HEAD'])

/** Normalised URL: path as sent, query parameters sorted by name; repeated names keep their order. */
export function normaliseUrl(url: string): string {
  return keyedUrl(url, undefined, 'ignore')!
}

/**
 * The URL part of the key. With `listed`, only those parameters are kept; when the request has any
 * other, returns undefined if `unlisted` is 'bypass' (the caller bypasses the cache).
 */
export function keyedUrl(
  url: string,
  listed: ReadonlySet<string> | undefined,
  unlisted: 'bypass' | 'ignore',
): string | undefined {
  const q = url.indexOf('?')
  // a raw '|' in the path (Node accepts it) could forge a '|principal:' or '|reflect:' part
  if (q < 0) return url.replaceAll('|', '%7C')
  const path = url.slice(0, q).replaceAll('|', '%7C')
  let entries = [...new URLSearchParams(url.slice(q + 1))]
  if (listed !== undefined) {
    const kept = entries.filter(([name]) => listed.has(name))
    if (kept.length !== entries.length && unlisted === 'bypass') return undefined
    entries = kept
  }
  // Array.prototype.sort is stable: parameters of one name stay in the order they were sent
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const query = new URLSearchParams(entries).toString()
  return query === '' ? path : `${path}?${query}`
}

/** A principal as a key part: '%' and '|' escaped, so it cannot end early and forge another part. */
export function principalPart(principal: string | undefined): string {
  return principal === undefined
    ? ''
    : `|principal:${principal.replaceAll('%', '%25').replaceAll('|', '%7C')}`
}

/** `name=value` lines of the listed headers the request carries (empty when it carries none). */
export function reflectedValues(req: RequestLike, names: readonly string[]): string[] {
  const found: string[] = []
  for (const name of names) {
    const value = req.headers[name]
    if (value !== undefined) found.push(`${name}=${Array.isArray(value) ? value.join(',') : value}`)
  }
  return found
}

/** Key suffix for the reflected header values of a request ('' when it carries none). */
export function reflectedSuffix(values: readonly string[]): string {
  if (values.length === 0) return ''
  return `|reflect:${createHash('sha1').update(values.join('\n')).digest('base64url')}`
}

/** True when X-HTTP-Method-Override names an unsafe method: such a request is never served from, or stored in, the cache. */
export function overridesToUnsafeMethod(req: RequestLike): boolean {
  const value = req.headers['x-http-method-override']
  if (value === undefined) return false
  const methods = Array.isArray(value) ? value : [value]
  return methods.some((m) => !SAFE_METHODS.has(m.trim().toUpperCase()))
}
