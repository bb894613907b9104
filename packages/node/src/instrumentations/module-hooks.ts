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
 * fires before the module is loaded; import-in-the-middle, registered by the preload for the
 * same names, then lets the instrumentation patch it.
 */
import Module from 'node:module'

type OnFirstLoad = (name: string, file: string | undefined) => void

type RequireFn = (this: Module, id: string) => unknown

interface State {
  pending: Set<string>
  onFirstLoad: OnFirstLoad
  original: RequireFn
  wrapper: RequireFn
  resolveHook?: { deregister(): void }
}

let state: State | undefined
let esmTrigger = false

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

/** Called by the `--import` preload: ES module imports trigger too (module.registerHooks). */
export function enableEsmTrigger(): void {
  esmTrigger = true
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
  if (s.pending.size === 0) s.resolveHook?.deregister()
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
  const s: State = { pending, onFirstLoad, original, wrapper: original }
  s.wrapper = function otelkitRequire(this: Module, id: string): unknown {
    if (s.pending.size > 0 && typeof id === 'string') {
      const name = packageOf(id)
      if (name !== undefined && s.pending.has(name)) {
        fire(s, name, () => (Module as unknown as ModuleStatics)._resolveFilename(id, this, false))
        const current = proto.require
        // Through the hooks the instrumentation added on top of this one, so they see this load.
        if (current !== s.wrapper) return current.call(this, id)
      }
    }
    return s.original.call(this, id)
  }
  proto.require = s.wrapper
  const registerHooks = (Module as { registerHooks?: typeof Module.registerHooks }).registerHooks
  if (esmTrigger && typeof registerHooks === 'function') {
    s.resolveHook = registerHooks({
      resolve(specifier, context, nextResolve) {
        const result = nextResolve(specifier, context)
        if (s.pending.size > 0) {
          const name = packageOf(specifier)
          if (name !== undefined && s.pending.has(name)) fire(s, name, () => result.url)
        }
        return result
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
  s.resolveHook?.deregister()
  const proto = Module.prototype as unknown as { require: RequireFn }
  if (proto.require === s.wrapper) proto.require = s.original
}

interface ModuleStatics {
  _resolveFilename(request: string, parent: Module, isMain: boolean): string
}
