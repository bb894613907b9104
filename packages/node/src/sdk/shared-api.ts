/**
 * The preload bundles `@opentelemetry/api`, while upstream instrumentations and exporters
 * `require('@opentelemetry/api')` from node_modules: without this, the first of them loads the
 * package a second time (some 50 files, about 25 ms of start-up). The bundled copy is put in
 * require's cache under the package's own entry file, so those requires get it at once. Only when
 * the installed package is exactly the bundled version; otherwise nothing changes.
 */
import { readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import * as api from '@opentelemetry/api'

/** Set by the bundler (scripts/bundle.mjs) to the bundled @opentelemetry/api version. */
declare const __OTELKIT_BUNDLED_API_VERSION__: string | undefined

const PACKAGE = '@opentelemetry/api'

export function shareBundledApi(): void {
  const bundled =
    typeof __OTELKIT_BUNDLED_API_VERSION__ === 'string' ? __OTELKIT_BUNDLED_API_VERSION__ : undefined
  if (bundled === undefined) return
  try {
    const require = createRequire(import.meta.url)
    const file = require.resolve(PACKAGE)
    if (require.cache[file] !== undefined) return
    const root = file.slice(0, file.lastIndexOf(`/${PACKAGE}/`) + PACKAGE.length + 1)
    const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version?: string }
    if (version !== bundled) return
    const module = new Module(file)
    module.filename = file
    module.loaded = true
    module.exports = api
    require.cache[file] = module
  } catch {
    // the package loads from node_modules as usual
  }
}
