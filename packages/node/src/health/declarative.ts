/**
 * Declarative checks from `OTELKIT_HEALTH_CHECKS` / `healthChecks`: `name=url,...`, the check
 * chosen by the URL scheme; `critical:name=url` marks a critical check. A malformed entry
 * (empty name, bad URL, unknown scheme, duplicate name) is reported once, in one line naming
 * the entry and the accepted form, and skipped; the others still apply.
 */
import { checks } from './checks/index.js'
import type { HealthCheck } from './types.js'

export interface DeclaredCheck {
  name: string
  critical: boolean
  url: URL
  check: HealthCheck
}

export interface ParseResult {
  checks: DeclaredCheck[]
  /** One message per skipped entry. */
  problems: string[]
}

const FACTORIES: Record<string, (url: URL) => HealthCheck> = {
  'postgres:': (url) => checks.postgres(url),
  'postgresql:': (url) => checks.postgres(url),
  'mysql:': (url) => checks.mysql(url),
  'mariadb:': (url) => checks.mysql(url),
  'redis:': (url) => checks.redis(url),
  'rediss:': (url) => checks.redis(url),
  'http:': (url) => checks.http(url),
  'https:': (url) => checks.http(url),
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/

export const ACCEPTED_FORM =
  'accepted form: [critical:]name=url with name of A-Z a-z 0-9 _ . - and a postgres://, postgresql://, ' +
  'mysql://, mariadb://, redis://, rediss://, http:// or https:// URL, entries separated by commas or newlines ' +
  '(e.g. critical:db=postgres://user@host:5432/app,cache=redis://host:6379)'

/** Hides the userinfo (user and password) of an entry's URL before it is logged. */
export function redact(entry: string): string {
  return entry.replace(/(\/\/)[^/@\s]*@/, '$1')
}

export function parseHealthChecks(spec: string): ParseResult {
  const result: ParseResult = { checks: [], problems: [] }
  const seen = new Set<string>()
  for (const raw of spec.split(/[,\n]/)) {
    const entry = raw.trim()
    if (entry === '') continue
    const skip = (why: string) =>
      result.problems.push(`OTELKIT_HEALTH_CHECKS entry "${redact(entry)}" skipped: ${why}; ${ACCEPTED_FORM}`)
    const eq = entry.indexOf('=')
    if (eq < 0) {
      skip('no "=" between name and URL')
      continue
    }
    let name = entry.slice(0, eq).trim()
    const critical = name.startsWith('critical:')
    if (critical) name = name.slice('critical:'.length).trim()
    const value = entry.slice(eq + 1).trim()
    if (name === '') {
      skip('empty name')
      continue
    }
    if (!NAME.test(name)) {
      skip(`invalid name "${name}"`)
      continue
    }
    if (seen.has(name)) {
      skip(`duplicate name "${name}" (the first entry with this name is kept)`)
      continue
    }
    let url: URL
    try {
      url = new URL(value)
    } catch {
      skip('not a valid URL')
      continue
    }
    const factory = FACTORIES[url.protocol]
    if (!factory) {
      skip(`unknown scheme "${url.protocol.replace(/:$/, '')}"`)
      continue
    }
    if (url.hostname === '' && url.protocol.startsWith('http')) {
      skip('URL has no host')
      continue
    }
    seen.add(name)
    result.checks.push({ name, critical, url, check: factory(url) })
  }
  return result
}
