/**
 * Chooses which catalog entries may load, as the stock distribution does: all but the ones off by
 * default, or only those named in OTEL_NODE_ENABLED_INSTRUMENTATIONS, minus those named in
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS. Whether an entry is then installed depends on its modules
 * being loaded (activate.ts). Unknown names produce one warning listing the known ones.
 */
import { log } from '../logger.js'
import { CATALOG, type CatalogEntry } from './catalog.js'

export function selectInstrumentations(
  enabled: readonly string[] | undefined,
  disabled: readonly string[],
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
    return !entry.defaultOff || enabledSet?.has(entry.name) === true
  })
}
