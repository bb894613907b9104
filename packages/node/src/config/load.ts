/**
 * Produces the resolved config from the environment (warnings logged, never thrown) merged
 * under options given in code (validated, thrown as OtelkitConfigError), then reconciled
 * (settings adjusted to each other, one warning each).
 */
import { log } from '../logger.js'
import { reconcile } from './consistency.js'
import { readEnv } from './env.js'
import type { OtelkitOptions } from './options.js'
import { resolveConfig } from './resolve.js'
import type { ResolvedConfig } from './resolved.js'
import { validateOptions } from './schema.js'

export function loadConfig(options?: unknown, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const fromCode: OtelkitOptions = validateOptions(options)
  const { options: fromEnv, warnings } = readEnv(env)
  const merged = { ...fromEnv, ...stripUndefined(fromCode) }
  const config = resolveConfig(merged)
  for (const warning of [...warnings, ...reconcile(merged, config)]) log.warn(warning)
  return config
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
