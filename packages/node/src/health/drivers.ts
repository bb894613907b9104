/**
 * Lazy loading of database drivers (pg, mysql2, ioredis) for URL-based checks. They are not
 * dependencies of @otelkit/node: they are loaded from the application (resolved from the
 * working directory) the first time a check needs one, then from otelkit's own location. A
 * missing driver is reported once in one line, and the check is down with the same reason.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { log } from '../logger.js'
import { HealthDriverMissingError } from './errors.js'

const cache = new Map<string, unknown>()
const reported = new Set<string>()

/** Loads `pkg` for a check of `scheme`; throws `HealthDriverMissingError` when it is nowhere. */
export function loadDriver<T>(pkg: string, scheme: string): T {
  if (cache.has(pkg)) return cache.get(pkg) as T
  let firstError: unknown
  for (const base of [join(process.cwd(), '/'), import.meta.url]) {
    try {
      const loaded = createRequire(base)(pkg) as T
      cache.set(pkg, loaded)
      return loaded
    } catch (error) {
      firstError ??= error
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') break
    }
  }
  const error = new HealthDriverMissingError(pkg, scheme, { cause: firstError })
  if (!reported.has(pkg)) {
    reported.add(pkg)
    log.warn(`${error.code}: ${error.message}`)
  }
  throw error
}
