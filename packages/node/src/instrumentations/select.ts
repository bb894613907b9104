/**
 * Chooses which instrumentations to load: those whose modules are present, minus opt-in ones
 * not named, filtered by OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS.
 * Unknown names produce one warning listing the known ones.
 */
import { log } from '../logger.js'
import { CATALOG, type CatalogEntry } from './catalog.js'
import { isModulePresent } from './presence.js'

export function selectInstrumentations(
  enabled: readonly string[] | undefined,
  disabled: readonly string[],
  present: (name: string) => boolean = isModulePresent,
): CatalogEntry[] {
  const known = new Set(CATALOG.map((e) => e.name))
  const unknown = [...(enabled ?? []), ...disabled].filter((n) => !known.has(n))
  if (unknown.length > 0) {
    log.warn(
      `unknown instrumentation name(s) ${unknown.join(', ')} in OTEL_NODE_ENABLED_INSTRUMENTATIONS/OTEL_NODE_DISABLED_INSTRUMENTATIONS; known: ${[...known].join(', ')}`,
    )
  }
  const enabledSet = enabled ? new Set(enabled) : undefined
  const disabledSet = new Set(disabled)
  return CATALOG.filter((entry) => {
    if (disabledSet.has(entry.name)) return false
    if (enabledSet && !enabledSet.has(entry.name)) return false
    if (entry.optIn && !enabledSet?.has(entry.name)) return false
    return entry.modules.length === 0 || entry.modules.some(present)
  })
}
