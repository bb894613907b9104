/**
 * Every setting of @otelkit/node, declared once (settings/*.ts by area), in README order. The env
 * table (config/variables.ts), the zod schema (schema.ts), DEFAULTS (defaults.ts), the option and
 * resolved types (options.ts, resolved.ts) and the README table (readme-table.ts) derive from it.
 */
import { BATCHING_SETTINGS } from './batching.js'
import type { AnySetting, DefaultsOf, OptionsOf, ResolvedOf } from './define.js'
import { ERRORS_SETTINGS } from './errors.js'
import { EXPORT_SETTINGS } from './export.js'
import { HEALTH_SETTINGS } from './health.js'
import { LIMIT_SETTINGS } from './limits.js'
import { OPS_SETTINGS } from './ops.js'
import { OTLP_EXPORT_SETTINGS } from './otlp.js'
import { PRIVACY_SETTINGS } from './privacy.js'
import { PROFILING_SETTINGS } from './profiling.js'
import { SAMPLING_SETTINGS } from './sampling.js'
import { SERVICE_SETTINGS } from './service.js'

export const SETTINGS = {
  ...SERVICE_SETTINGS,
  ...EXPORT_SETTINGS,
  ...OTLP_EXPORT_SETTINGS,
  ...SAMPLING_SETTINGS,
  ...BATCHING_SETTINGS,
  ...LIMIT_SETTINGS,
  ...OPS_SETTINGS,
  ...HEALTH_SETTINGS,
  ...ERRORS_SETTINGS,
  ...PROFILING_SETTINGS,
  ...PRIVACY_SETTINGS,
}

export type Settings = typeof SETTINGS
export type OptionName = keyof Settings

/** The options of `start()` as the declaration types them (OtelkitOptions must match it exactly). */
export type SettingsOptions = OptionsOf<Settings>
/** The declared defaults. */
export type SettingsDefaults = DefaultsOf<Settings>
/** The resolved fields that are a setting's value (or undefined when it has no default). */
export type ResolvedSettings = ResolvedOf<Settings>

/** Every setting, in declaration order. */
export const SETTING_ENTRIES = Object.entries(SETTINGS) as [OptionName, AnySetting][]

/** The variable that sets `option` (the one that wins, when several do). */
export function variableOf(option: OptionName): string {
  const variables = (SETTINGS[option] as AnySetting).variables
  return variables[variables.length - 1]?.name ?? option
}

/** `VARIABLE (option)`, as messages name a setting. */
export function settingLabel(option: OptionName): string {
  return `${variableOf(option)} (${option})`
}

export { MAX_SERVICE_NAME_LENGTH } from './service.js'
