/**
 * Every environment variable the SDK reads, the option it sets and how its value is parsed,
 * derived from the settings' declaration (config/settings/*.ts): the single source for env
 * parsing (env.ts) and for the README's variable table.
 */
import type { OtelkitOptions } from './options.js'
import type { Parsed } from './parse.js'
import { SETTING_ENTRIES } from './settings/index.js'

export { LOGS_EXPORTERS, METRICS_EXPORTERS, TRACES_EXPORTERS } from './settings/export.js'
export { MAX_COUNT_LIMIT, MAX_LENGTH_LIMIT } from './settings/limits.js'
export { OTLP_COMPRESSIONS, OTLP_PROTOCOLS } from './settings/otlp.js'
export { PROPAGATORS, SAMPLERS } from './settings/sampling.js'
export { LOG_LEVELS, RESOURCE_DETECTORS } from './settings/service.js'

export interface EnvVariable {
  name: string
  option: keyof OtelkitOptions
  parse: (raw: string) => Parsed<unknown>
  /** Value may be a secret: never echoed in a warning. */
  secret?: boolean
  /** Set but blank is worth a warning: what then happens, and the accepted form. */
  blank?: string
}

/**
 * In declaration order; two variables of one option are listed earlier first, and the later
 * one wins when both are set (env.ts).
 */
export const ENV_VARIABLES: readonly EnvVariable[] = SETTING_ENTRIES.flatMap(([option, setting]) =>
  setting.variables.map((variable) => ({
    name: variable.name,
    option,
    parse: setting.kind.parse,
    ...(setting.secret ? { secret: true } : {}),
    ...(setting.blank !== undefined ? { blank: setting.blank } : {}),
  })),
)
