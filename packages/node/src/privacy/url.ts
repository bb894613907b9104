/**
 * URLs as they may be recorded or logged. In paths (`url.path`, `url.full`) and Redis keys, a
 * segment holding an e-mail address, a JWT or a token (20 characters or more mixing letters and
 * digits: reset links, API keys, session ids, UUIDs) is replaced by `{email}`, `{jwt}` or
 * `{token}`; query strings are never recorded at all. In log lines and exporter targets a URL
 * loses its userinfo (`http://user:password@host` becomes `http://host`).
 */

/** How `url.path` / `url.full` are recorded (`OTELKIT_URL_REDACTION`). */
export type UrlRedaction = 'default' | 'route-params' | 'none'

export const URL_REDACTIONS = ['default', 'route-params', 'none'] as const

// Linear on any input (paths are attacker-controlled): each candidate start is a segment start
// or a non-word character (JWT), or an `@` / `%40` after a character (e-mail).
const JWT = /(?:^|[^\w-])eyJ[\w-]+\.[\w-]+\./
const EMAIL = /(?<=[^\s/@%])(?:@|%40)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/i
const LETTER = /[a-z]/i
const DIGIT = /\d/
const MIN_TOKEN_LENGTH = 20

/** `{jwt}`, `{email}` or `{token}` for a segment holding one, else the segment itself. */
function redactSegment(segment: string): string {
  if (segment.length >= MIN_TOKEN_LENGTH) {
    if (JWT.test(segment)) return '{jwt}'
    if (EMAIL.test(segment)) return '{email}'
    if (LETTER.test(segment) && DIGIT.test(segment)) return '{token}'
    return segment
  }
  return EMAIL.test(segment) ? '{email}' : segment
}

/**
 * Whether `text` may hold something to redact: an `@` (or `%40`) or a run of 20 characters
 * without a separator. Built on `indexOf` (native searches), no allocation and no character loop
 * in JavaScript (callgrind: a loop calling `charCodeAt` cost about 130 instructions per
 * character, a regular expression more): most paths and keys answer no and are returned as they are.
 */
function suspect(text: string, colonSeparates: boolean): boolean {
  if (text.indexOf('@') >= 0 || text.indexOf('%40') >= 0) return true
  const n = text.length
  if (n < MIN_TOKEN_LENGTH) return false
  // The next separator of each kind, searched again only once passed: linear however many.
  let slash = text.indexOf('/')
  let colon = colonSeparates ? text.indexOf(':') : -1
  for (let start = 0; ; ) {
    if (slash >= 0 && slash < start) slash = text.indexOf('/', start)
    if (colon >= 0 && colon < start) colon = text.indexOf(':', start)
    const end = Math.min(slash < 0 ? n : slash, colon < 0 ? n : colon)
    if (end - start >= MIN_TOKEN_LENGTH) return true
    if (end >= n) return false
    start = end + 1
  }
}

const PATH_SEGMENT = /[^/]+/g
const KEY_SEGMENT = /[^/:]+/g

/** A URL path (no query string) with e-mail, JWT and token segments replaced. */
export function redactPath(path: string): string {
  return suspect(path, false) ? path.replace(PATH_SEGMENT, redactSegment) : path
}

/** A Redis key with e-mail, JWT and token parts (between `:` or `/`) replaced. */
export function redactKey(key: string): string {
  return suspect(key, true) ? key.replace(KEY_SEGMENT, redactSegment) : key
}

/** `url.path` as recorded at request start under `mode`. */
export function recordedPath(path: string, mode: UrlRedaction): string {
  return mode === 'none' ? path : redactPath(path)
}

// Schemes are short: bounding them keeps the search linear on any text.
const USERINFO_AT_START = /^([a-z][a-z\d+.-]{0,31}:\/\/)[^/?#@\s]*@/i
const USERINFO_ANYWHERE = /\b([a-z][a-z\d+.-]{0,31}:\/\/)[^/?#@\s]*@/gi

/** The URL without `user:password@` (for log lines and error messages). */
export function withoutUserinfo(url: string): string {
  return url.includes('@') ? url.replace(USERINFO_AT_START, '$1') : url
}

/** Text in which every `scheme://user:password@` lost its userinfo. */
export function stripUrlUserinfo(text: string): string {
  return text.includes('@') ? text.replace(USERINFO_ANYWHERE, '$1') : text
}
