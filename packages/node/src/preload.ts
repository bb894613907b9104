/**
 * What the `--import` / `--require` entries run: config from the environment only, the catalog's
 * instrumentations behind a module hook that installs each when its module first loads, and for
 * `--import` the ES module hooks that let instrumentations patch ES modules. Never throws: any
 * failure is one log line and the service starts uninstrumented.
 */
import { createRequire, register } from 'node:module'
import { isMainThread } from 'node:worker_threads'
import { loadConfig } from './config/load.js'
import { type CatalogEntry, esmSpecifiers } from './instrumentations/catalog.js'
import { enableEsmTrigger } from './instrumentations/module-hooks.js'
import { selectInstrumentations } from './instrumentations/select.js'
import { log } from './logger.js'
import { shareBundledPackages } from './sdk/shared-packages.js'
import { currentSdk, startSdk } from './sdk/start.js'

const require = createRequire(import.meta.url)

interface SyncHooksModule {
  register(options: { include: string[] }): void
}

/**
 * Registers the ES module hooks. Where Node supports synchronous in-thread hooks
 * (`module.registerHooks`, 22.22.3+ / 24.11.1+), import-in-the-middle is registered only when the
 * application first imports a catalog module (module-hooks.ts), unless an entry installed at start
 * (fs, dns, net) needs it at once. Otherwise its loader thread starts now in "hooked modules only"
 * mode. Either way only the catalog's modules are wrapped. Returns a barrier to await before the
 * application loads.
 */
async function registerEsmHooks(selected: readonly CatalogEntry[]): Promise<() => Promise<void>> {
  const modules = esmSpecifiers(selected)
  if (modules.length === 0) return async () => {}
  const atStart = esmSpecifiers(selected.filter((e) => e.targets.length === 0)).length > 0
  const { supportsSyncHooks } = (await import('import-in-the-middle/supports-sync-hooks.mjs' as string)) as {
    supportsSyncHooks(): boolean
  }
  if (supportsSyncHooks()) {
    if (atStart) {
      const sync = (await import('import-in-the-middle/register-hooks.mjs' as string)) as SyncHooksModule
      sync.register({ include: modules })
    }
    enableEsmTrigger(modules, atStart)
    return async () => {}
  }
  enableEsmTrigger(modules, true)
  const { createAddHookMessageChannel } = require('import-in-the-middle') as {
    createAddHookMessageChannel: () => {
      registerOptions: object
      waitForAllMessagesAcknowledged: () => Promise<void>
    }
  }
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel()
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions)
  return waitForAllMessagesAcknowledged
}

/**
 * Starts the SDK from the environment. With `esm`, ES module hooks are registered first and the
 * returned promise resolves once the loader has acknowledged them.
 */
export async function startPreload(esm: boolean): Promise<void> {
  if (!isMainThread || currentSdk() !== undefined) return
  try {
    const config = loadConfig()
    if (config.disabled) {
      startSdk(config, [])
      return
    }
    const selected = selectInstrumentations(config.enabledInstrumentations, config.disabledInstrumentations)
    shareBundledPackages()
    let barrier: () => Promise<void> = async () => {}
    if (esm) {
      try {
        barrier = await registerEsmHooks(selected)
      } catch (error) {
        log.warn(
          `ES module hooks could not be registered (${(error as Error).message}); ES modules will not be instrumented`,
        )
      }
    }
    startSdk(config, selected)
    await barrier()
  } catch (error) {
    log.error(`could not start (${(error as Error).message}); the service runs without telemetry`)
  }
}
