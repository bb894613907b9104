/**
 * The one module hook behind lazy instrumentation, filtered to the catalog's module names. On the
 * first require() or import of such a module it calls `onFirstLoad(name, file)` before the
 * module's own code runs, so the instrumentation is loaded just then; every other require costs
 * a package-name lookup in a Set.
 *
 * CommonJS: `Module.prototype.require` is wrapped. After `onFirstLoad` the call is dispatched
 * again through the current `Module.prototype.require`, so the require-in-the-middle hook the
 * instrumentation has just installed sees this very load (and the module's internal files).
 * ES modules (with the `--import` preload): a synchronous `module.registerHooks` resolve hook
 * fires before the module is loaded. import-in-the-middle, which lets the instrumentation patch
 * the module, is itself registered then, on the first such import whose instrumentation patches
 * ES modules (limited to the catalog's specifiers), and resolves that import: a service that
 * imports none (or only modules patched on their prototypes or traced through channels: Express
 * 5, pg, ioredis 6, Fastify) pays nothing for it.
 */
import Module, { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { log } from '../logger.js'
import { filePath } from './versions.js'

type OnFirstLoad = (name: string, file: string | undefined) => void

type RequireFn = (this: Module, id: string) => unknown

/** A module whose further copies (another folder of the same package) are reported. */
interface Watch {
  /** Package folders seen (`.../node_modules/pg/`). */
  roots: Set<string>
  onAnotherCopy: (file: string) => void
}

interface State {
  pending: Set<string>
  onFirstLoad: OnFirstLoad
  /** By package name (watchModuleCopies). */
  watched: Map<string, Watch>
  original: RequireFn
  wrapper: RequireFn
  resolveHook?: { deregister(): void }
}

type ResolveFn = Parameters<typeof Module.registerHooks>[0]['resolve']

interface IitmHook {
  resolveSync: NonNullable<ResolveFn>
  loadSync: NonNullable<Parameters<typeof Module.registerHooks>[0]['load']>
  applyOptions(options: { shouldInclude(url: string, specifier: string): boolean }): void
}

interface EsmState {
  /** Specifiers import-in-the-middle wraps. */
  specifiers: string[]
  /** Registered (by the preload at start, or here on the first import). */
  iitm: boolean
}

let state: State | undefined
let esm: EsmState | undefined

/** The package a specifier names (`@scope/name`, `name`), or undefined for paths and URLs. */
export function packageOf(specifier: string): string | undefined {
  const first = specifier.charCodeAt(0)
  // '.', '/', and specifiers with a scheme (node:, file:) are not packages of the catalog.
  if (first === 46 || first === 47 || specifier.includes(':')) return undefined
  const slash = specifier.indexOf('/')
  if (slash === -1) return specifier
  if (first !== 64) return specifier.slice(0, slash) // not '@'
  const second = specifier.indexOf('/', slash + 1)
  return second === -1 ? specifier : specifier.slice(0, second)
}

/**
 * Called by the `--import` preload: ES module imports trigger too (module.registerHooks), and
 * import-in-the-middle is registered for `specifiers` on the first, unless `iitmRegistered`.
 */
export function enableEsmTrigger(specifiers: string[], iitmRegistered: boolean): void {
  esm = { specifiers, iitm: iitmRegistered }
}

/** Packages an installed instrumentation patches (so their ES modules need wrapping). */
const esmPatched = new Set<string>()

/**
 * Records the modules an installed instrumentation patches. import-in-the-middle, registered by
 * the first import of a catalog module, wraps only the catalog specifiers of these packages:
 * modules whose instrumentation subscribes to a diagnostics channel (Express 5, ioredis 6,
 * Fastify) are left as they are, and so is a module whose installed version no entry covers.
 */
export function markPatchedModules(names: Iterable<string>): void {
  for (const name of names) {
    const pkg = packageOf(name)
    esmPatched.add(pkg ?? (name.startsWith('node:') ? name.slice(5) : name))
  }
}

function esmWanted(e: EsmState, specifier: string): boolean {
  if (!e.specifiers.includes(specifier)) return false
  const pkg = packageOf(specifier)
  return esmPatched.has(pkg ?? (specifier.startsWith('node:') ? specifier.slice(5) : specifier))
}

/**
 * Whether any catalog specifier is one an installed instrumentation patches, so that
 * import-in-the-middle has something to wrap: not after entries that patch prototypes or
 * subscribe to channels only (Express 5, pg, ioredis 6, Fastify).
 */
function anyEsmWanted(e: EsmState): boolean {
  for (const specifier of e.specifiers) if (esmWanted(e, specifier)) return true
  return false
}

/** Registers import-in-the-middle's synchronous hooks (as its register-hooks.mjs does). */
function registerIitm(e: EsmState): IitmHook {
  const require = createRequire(import.meta.url)
  const url = pathToFileURL(require.resolve('import-in-the-middle/register-hooks.mjs')).href
  const { createHook } = require('import-in-the-middle/create-hook.mjs') as {
    createHook(meta: { url: string }): IitmHook
  }
  const hook = createHook({ url })
  hook.applyOptions({ shouldInclude: (_url: string, specifier: string) => esmWanted(e, specifier) })
  Module.registerHooks({ resolve: hook.resolveSync, load: hook.loadSync })
  e.iitm = true
  return hook
}

function fire(s: State, name: string, file: () => string | undefined): void {
  s.pending.delete(name)
  let resolved: string | undefined
  try {
    resolved = file()
  } catch {
    // unresolvable: the require itself will report it
  }
  try {
    s.onFirstLoad(name, resolved)
  } catch {
    // onFirstLoad reports its own failures; the application's load goes on regardless
  }
  if (s.pending.size === 0 && s.watched.size === 0) s.resolveHook?.deregister()
}

/** The folder of package `name` that `fileOrUrl` is in (the path itself when it is in none). */
function packageRoot(fileOrUrl: string, name: string): string {
  const path = filePath(fileOrUrl) ?? fileOrUrl
  const marker = `/node_modules/${name}/`
  const at = path.lastIndexOf(marker)
  return at < 0 ? path : path.slice(0, at + marker.length)
}

/** Reports the copy of a watched package that `file` names, unless it was seen already. */
function seeCopy(watch: Watch, name: string, file: () => string | undefined): void {
  let resolved: string | undefined
  try {
    resolved = file()
  } catch {
    return
  }
  if (resolved === undefined) return
  const root = packageRoot(resolved, name)
  if (watch.roots.has(root)) return
  watch.roots.add(root)
  try {
    watch.onAnotherCopy(resolved)
  } catch {
    // the callback reports its own failures
  }
}

/**
 * After `name` first loaded from `firstFile`, reports every other copy of the package (another
 * folder: a dependency's own version) on its first load, before its code runs, to
 * `onAnotherCopy`: for instrumentations that patch what a copy exports (pg), where the framework's
 * require hook would have seen every copy. Ends with the hooks.
 */
export function watchModuleCopies(
  name: string,
  firstFile: string | undefined,
  onAnotherCopy: (file: string) => void,
): void {
  const s = state
  if (s === undefined) return
  const roots = new Set<string>()
  if (firstFile !== undefined) roots.add(packageRoot(firstFile, name))
  s.watched.set(name, { roots, onAnotherCopy })
}

/**
 * Calls `onFirstLoad` once per name, on its first load. Replaces an earlier installation (an SDK
 * started again after a shutdown).
 */
export function installModuleHooks(names: Iterable<string>, onFirstLoad: OnFirstLoad): void {
  uninstallModuleHooks()
  const pending = new Set(names)
  if (pending.size === 0) return
  const proto = Module.prototype as unknown as { require: RequireFn }
  const original = proto.require
  const s: State = { pending, onFirstLoad, watched: new Map(), original, wrapper: original }
  s.wrapper = function otelkitRequire(this: Module, id: string): unknown {
    if ((s.pending.size > 0 || s.watched.size > 0) && typeof id === 'string') {
      const name = packageOf(id)
      if (name !== undefined && s.pending.has(name)) {
        fire(s, name, () => (Module as unknown as ModuleStatics)._resolveFilename(id, this, false))
        const current = proto.require
        // Through the hooks the instrumentation added on top of this one, so they see this load.
        if (current !== s.wrapper) return current.call(this, id)
      } else if (name !== undefined) {
        const watch = s.watched.get(name)
        if (watch !== undefined) {
          seeCopy(watch, name, () => (Module as unknown as ModuleStatics)._resolveFilename(id, this, false))
        }
      }
    }
    return s.original.call(this, id)
  }
  proto.require = s.wrapper
  const registerHooks = (Module as { registerHooks?: typeof Module.registerHooks }).registerHooks
  if (esm !== undefined && typeof registerHooks === 'function') {
    const e = esm
    s.resolveHook = registerHooks({
      resolve(specifier, context, nextResolve) {
        const result = nextResolve(specifier, context)
        if (s.pending.size === 0 && s.watched.size === 0) return result
        const name = packageOf(specifier)
        if (name === undefined) return result
        if (!s.pending.has(name)) {
          const watch = s.watched.get(name)
          if (watch !== undefined) seeCopy(watch, name, () => result.url)
          return result
        }
        fire(s, name, () => result.url)
        if (e.iitm || context.conditions?.includes('require') || !anyEsmWanted(e)) return result
        try {
          // This import too goes through import-in-the-middle, registered now.
          return registerIitm(e).resolveSync(specifier, context, nextResolve)
        } catch (error) {
          e.iitm = true
          log.warn(
            `ES module hooks could not be registered (${(error as Error)?.message ?? String(error)}); ES modules will not be instrumented`,
          )
          return result
        }
      },
    })
  }
  state = s
}

/** Removes the hooks (the require wrapper stays inert when something else wrapped it since). */
export function uninstallModuleHooks(): void {
  const s = state
  if (s === undefined) return
  state = undefined
  s.pending.clear()
  s.watched.clear()
  s.resolveHook?.deregister()
  const proto = Module.prototype as unknown as { require: RequireFn }
  if (proto.require === s.wrapper) proto.require = s.original
}

/**
 * Package (or built-in) names that some `require` hook installed by an instrumentation wants to
 * see. Grows only: routing a require through a hook that ignores it is never wrong, just slower.
 */
const hookedNames = new Set<string>()

/** The package a loaded file belongs to (after its last `node_modules/`), if any. */
function packageOfFile(file: string | undefined | null): string | undefined {
  if (typeof file !== 'string') return undefined
  const at = file.lastIndexOf('/node_modules/')
  return at === -1 ? undefined : packageOf(file.slice(at + 14))
}

/** Per hooked package, the base names (no extension) of its files a hook patches. */
const hookedFiles = new Map<string, Set<string>>()

function baseName(path: string): string {
  const slash = path.lastIndexOf('/')
  const base = path.slice(slash + 1)
  const dot = base.lastIndexOf('.')
  return dot > 0 ? base.slice(0, dot) : base
}

function addHookedFile(pkg: string, file: string): void {
  const names = hookedFiles.get(pkg) ?? new Set<string>()
  const base = baseName(file)
  names.add(base)
  // `require('./dir')` loads dir/index.js.
  if (base === 'index') names.add(baseName(file.slice(0, file.lastIndexOf('/'))))
  hookedFiles.set(pkg, names)
}

/**
 * A relative require inside a hooked package reaches the hook only when it may load the
 * package's main file or one of the files patched (compared by base name, so `./lib/query`,
 * `./query.js` and `../commands/query` all count as `query.js`).
 */
function relativeMayBeHooked(id: string, parent: Module): boolean {
  const pkg = packageOfFile(parent?.filename)
  if (pkg === undefined || !hookedNames.has(pkg)) return false
  let files = hookedFiles.get(pkg)
  if (files === undefined || !files.has('\0main')) {
    try {
      addHookedFile(pkg, (Module as unknown as ModuleStatics)._resolveFilename(pkg, parent, false))
    } catch {
      return true
    }
    files = hookedFiles.get(pkg) as Set<string>
    files.add('\0main')
  }
  const base = baseName(id)
  return base === '' || base === '.' || base === '..' || base === 'index' || files.has(base)
}

/** Whether a require() of `id` from `parent` may load a module some installed hook patches. */
function mayBeHooked(id: string, parent: Module): boolean {
  const first = id.charCodeAt(0)
  if (first === 46) return relativeMayBeHooked(id, parent) // './x' stays in its package
  if (first === 47 || hookedNames.has(id)) return true // absolute paths: cannot tell
  if (id.startsWith('node:')) return hookedNames.has(id.slice(5))
  const name = packageOf(id)
  return name === undefined || hookedNames.has(name)
}

/**
 * Runs `install` (which may construct and enable instrumentations built on
 * @opentelemetry/instrumentation) and narrows what it adds to `Module.prototype.require`.
 * Upstream instrumentations share one require-in-the-middle hook that sees every require() of
 * every file and resolves each twice more (its filename, and its package's main file) to find
 * the few it patches; a service's start-up loads thousands. When `install` added such a hook,
 * a filter goes on top that sends through it only the requires that can load one of `names`
 * (the modules and files the instrumentations patch; built-ins by name), and every other
 * require straight to the hook below, as if the instrumentation hook had passed it through.
 */
export function narrowRequireHooks<T>(install: () => T, names: (result: T) => Iterable<string>): T {
  const proto = Module.prototype as unknown as { require: RequireFn }
  const below = proto.require
  const result = install()
  for (const name of names(result)) {
    hookedNames.add(name)
    const pkg = packageOf(name)
    if (pkg === undefined) continue
    hookedNames.add(pkg)
    if (pkg !== name) addHookedFile(pkg, name)
  }
  const hooked = proto.require
  if (hooked !== below) {
    proto.require = function otelkitRequireFilter(this: Module, id: string): unknown {
      return typeof id !== 'string' || mayBeHooked(id, this) ? hooked.call(this, id) : below.call(this, id)
    }
  }
  return result
}

interface ModuleStatics {
  _resolveFilename(request: string, parent: Module, isMain: boolean): string
}
