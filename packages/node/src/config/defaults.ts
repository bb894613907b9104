/**
 * Default value of every option that has one, as declared in config/settings/*.ts. The package
 * README's variable table is generated from the same declaration and checked by a test.
 */
import { SETTING_ENTRIES, type SettingsDefaults } from './settings/index.js'

export { DEFAULT_OTLP_GRPC_ENDPOINT, DEFAULT_OTLP_HTTP_ENDPOINT } from './settings/otlp.js'

export const DEFAULTS: SettingsDefaults = Object.freeze(
  Object.fromEntries(
    SETTING_ENTRIES.filter(([, setting]) => setting.default !== undefined).map(([option, setting]) => [
      option,
      setting.default,
    ]),
  ),
) as SettingsDefaults
