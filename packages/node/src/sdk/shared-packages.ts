/**
 * The preload bundles `@opentelemetry/api` and `@opentelemetry/core`, while upstream
 * instrumentations and exporters `require()` them from node_modules: without this, the first of
 * them loads each package a second time (the API's ~50 files, about 25 ms; core's CommonJS build
 * with its dependencies, about 16 ms). Each bundled copy is put in require's cache under the
 * package's own entry file, so those requires get it at once, and one copy of each package's
 * state (the API's globals, core's error handler) serves everyone. Only when the installed package
 * is exactly the bundled version; otherwise nothing changes for that package.
 */
import { readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import * as api from '@opentelemetry/api'
import * as core from '@opentelemetry/core'

/** Set by the bundler (scripts/bundle.mjs) to the bundled versions; undefined when run unbundled. */
declare const __OTELKIT_BUNDLED_API_VERSION__: string | undefined
declare const __OTELKIT_BUNDLED_CORE_VERSION__: string | undefined

function share(require: NodeJS.Require, name: string, bundled: string | undefined, exports: object): void {
  if (bundled === undefined) return
  try {
    const file = require.resolve(name)
    if (require.cache[file] !== undefined) return
    const root = file.slice(0, file.lastIndexOf(`/${name}/`) + name.length + 1)
    const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version?: string }
    if (version !== bundled) return
    const module = new Module(file)
    module.filename = file
    module.loaded = true
    module.exports = exports
    require.cache[file] = module
  } catch {
    // the package loads from node_modules as usual
  }
}

/** Puts the bundled API and core in require's cache (see the header). */
export function shareBundledPackages(): void {
  const require = createRequire(import.meta.url)
  // `typeof` because the names are not defined at all when the sources run unbundled (tests).
  const apiVersion =
    typeof __OTELKIT_BUNDLED_API_VERSION__ === 'string' ? __OTELKIT_BUNDLED_API_VERSION__ : undefined
  const coreVersion =
    typeof __OTELKIT_BUNDLED_CORE_VERSION__ === 'string' ? __OTELKIT_BUNDLED_CORE_VERSION__ : undefined
  share(require, '@opentelemetry/api', apiVersion, api)
  share(require, '@opentelemetry/core', coreVersion, core)
}
