/**
 * Lazy loading of database drivers (pg, mysql2, ioredis) for URL-based checks. They are not
 * dependencies of @otelkit/node: they are loaded from the application (resolved from the
 * working directory) the first time a check needs one, then from otelkit's own location.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { HealthDriverMissingError } from './errors.js'

const cache = new Map<string, unknown>()

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
  throw new HealthDriverMissingError(pkg, scheme, { cause: firstError })
}
