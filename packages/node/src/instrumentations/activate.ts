/**
 * Puts the selected catalog entries to work: those without target modules are installed at once;
 * the others wait, behind the name-filtered module hook (module-hooks.ts), for the first load of
 * one of their modules, and are installed then when its version is one they cover. Failures are
 * one warning each; the application's loads are never disturbed.
 */
import { log } from '../logger.js'
import type { CatalogEntry, Installed, LoadContext } from './entry.js'
import {
  installModuleHooks,
  markPatchedModules,
  narrowRequireHooks,
  uninstallModuleHooks,
  watchModuleCopies,
} from './module-hooks.js'
import { inRange, packageVersion } from './versions.js'

export interface ActiveInstrumentations {
  /** Names installed so far (grows as modules load). */
  readonly loaded: readonly string[]
  /** Removes every installed instrumentation and the module hook. */
  uninstall(): void
}

/**
 * Whether `entry` covers version `version` of its target module `name`; logs (naming `file`, a
 * copy's, when given) that the module is not instrumented when it does not.
 */
function covers(entry: CatalogEntry, name: string, version: string | undefined, file?: string): boolean {
  const target = entry.targets.find((t) => t.module === name)
  if (target === undefined || inRange(version, target.versions)) return true
  log.info(
    `${name} ${version}${file === undefined ? '' : ` (${file})`} is not instrumented: instrumentation "${entry.name}" covers ${target.module} ${target.versions}`,
  )
  return false
}

export function activateInstrumentations(
  entries: readonly CatalogEntry[],
  base: Omit<LoadContext, 'module'>,
): ActiveInstrumentations {
  const loaded: string[] = []
  const installed: Installed[] = []
  const done = new Set<CatalogEntry>()

  const install = (entry: CatalogEntry, module: LoadContext['module']): void => {
    done.add(entry)
    try {
      const result = narrowRequireHooks(
        () => entry.load({ ...base, module }),
        (installed) => [...(installed?.hookedModules ?? []), ...entry.targets.map((t) => t.module)],
      )
      if (result === undefined) return
      // Instrumentations on the instrumentation framework (upstream ones) report the modules
      // they patch; otelkit's channel subscribers patch none (an upstream one that reports
      // nothing is taken to patch its targets).
      markPatchedModules(
        result.hookedModules ?? (entry.kind === 'upstream' ? entry.targets.map((t) => t.module) : []),
      )
      installed.push(result)
      loaded.push(entry.name)
      if (module !== undefined && result.onAnotherCopy !== undefined) {
        watchCopies(entry, module, result.onAnotherCopy.bind(result))
      }
      log.debug(
        `instrumentation ${entry.name} installed${module ? ` (${module.name} ${module.version ?? ''})` : ''}`,
      )
    } catch (error) {
      log.warn(
        `instrumentation "${entry.name}" could not be loaded: ${(error as Error)?.message ?? String(error)}; continuing without it`,
      )
    }
  }

  /** Instruments each later copy of `module` at a version `entry` covers, with `onAnotherCopy`. */
  const watchCopies = (
    entry: CatalogEntry,
    module: NonNullable<LoadContext['module']>,
    onAnotherCopy: NonNullable<Installed['onAnotherCopy']>,
  ): void => {
    watchModuleCopies(module.name, module.file, (file) => {
      const version = packageVersion(file, module.name)
      if (!covers(entry, module.name, version, file)) return
      try {
        onAnotherCopy(file, version)
        log.debug(`instrumentation ${entry.name} installed on another copy (${module.name} ${version ?? ''})`)
      } catch (error) {
        log.warn(
          `instrumentation "${entry.name}" could not be installed on ${module.name} ${version ?? ''} (${file}): ${(error as Error)?.message ?? String(error)}; continuing without it`,
        )
      }
    })
  }

  const byModule = new Map<string, CatalogEntry[]>()
  for (const entry of entries) {
    if (entry.targets.length === 0) {
      install(entry, undefined)
      continue
    }
    for (const target of entry.targets) {
      const list = byModule.get(target.module) ?? []
      list.push(entry)
      byModule.set(target.module, list)
    }
  }

  installModuleHooks(byModule.keys(), (name, file) => {
    const version = packageVersion(file, name)
    for (const entry of byModule.get(name) ?? []) {
      if (done.has(entry)) continue
      // Another target module may still load a covered version.
      if (!covers(entry, name, version)) continue
      install(entry, { name, file, version })
    }
  })

  return {
    loaded,
    uninstall() {
      uninstallModuleHooks()
      for (const item of installed.splice(0)) {
        try {
          item.uninstall()
        } catch {
          // best effort
        }
      }
    },
  }
}
