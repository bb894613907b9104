/**
 * Produces the resolved config from the environment (warnings logged, never thrown) merged
 * under options given in code (validated, thrown as OtelkitConfigError).
 */
import { log } from '../logger.js'
import { readEnv } from './env.js'
import type { OtelkitOptions } from './options.js'
import { resolveConfig } from './resolve.js'
import type { ResolvedConfig } from './resolved.js'
import { validateOptions } from './schema.js'

export function loadConfig(options?: unknown, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const fromCode: OtelkitOptions = validateOptions(options)
  const { options: fromEnv, warnings } = readEnv(env)
  for (const warning of warnings) log.warn(warning)
  return resolveConfig({ ...fromEnv, ...stripUndefined(fromCode) })
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
