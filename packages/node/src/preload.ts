/**
 * What the `--import` / `--require` entries run: config from the environment only, the catalog's
 * instrumentations behind a module hook that installs each when its module first loads, and for
 * `--import` the ES module hooks that let instrumentations patch ES modules. Never throws: any
 * failure is one log line and the service starts uninstrumented.
 */
import { createRequire, register } from 'node:module'
import { isMainThread } from 'node:worker_threads'
import { loadConfig } from './config/load.js'
import { esmSpecifiers } from './instrumentations/catalog.js'
import { enableEsmTrigger } from './instrumentations/module-hooks.js'
import { selectInstrumentations } from './instrumentations/select.js'
import { log } from './logger.js'
import { currentSdk, startSdk } from './sdk/start.js'

const require = createRequire(import.meta.url)

interface SyncHooksModule {
  supportsSyncHooks(): boolean
  register(options: { include: string[] }): void
}

/**
 * Registers the import-in-the-middle hooks for ES modules. Where Node supports synchronous
 * in-thread hooks (`module.registerHooks`, 22.22.3+ / 24.11.1+), those are used: no loader
 * thread to start. Otherwise the loader thread runs in "hooked modules only" mode. Either way
 * only the modules an instrumentation asked for are wrapped. Returns a barrier to await before
 * the application loads.
 */
async function registerEsmHooks(modules: string[]): Promise<() => Promise<void>> {
  if (modules.length === 0) return async () => {}
  const sync = (await import('import-in-the-middle/register-hooks.mjs' as string)) as SyncHooksModule
  if (sync.supportsSyncHooks()) {
    sync.register({ include: modules })
    return async () => {}
  }
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
    let barrier: () => Promise<void> = async () => {}
    if (esm) {
      try {
        barrier = await registerEsmHooks(esmSpecifiers(selected))
        enableEsmTrigger()
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
