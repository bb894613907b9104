/**
 * Express 5 route templates (router 2.3+) from three methods of the copy of `router` the
 * application loads, no span per middleware:
 * - a route's `dispatch`: the pattern the router matched for it (`/items/:id`);
 * - a mounted router's `handle`: the mount's pattern for the request's actual `baseUrl`, so
 *   parametrised mounts still yield templates (`/shops/:shop` + `/items/:id`), never raw paths;
 * - a layer's `handleError`, and the application router's final callback: errors a handler
 *   threw, rejected with or passed to next(), recorded once on the server span where the router
 *   hands them to an error handler or back to Express, so error tracking groups them by type,
 *   message and stack.
 *
 * Router 2.3 also publishes routing on its `express.router.request` tracing channel, but while
 * that channel has any subscriber the router traces every middleware layer of every request (a
 * context object, a wrapped next() and four channel events per layer): about 4k instructions per
 * shop-api request, for the one pattern per request otelkit reads (BENCHMARKS.md, "Express routes
 * without the router's tracing channel"). The matched pattern is the one the router keeps for
 * that channel (its `matchedRoute` symbol); a router copy without it gets the upstream
 * instrumentation, as Express 4 does (catalog.ts).
 */

import type { IncomingMessage } from 'node:http'
import { createRequire } from 'node:module'
import { isDatabaseError, rememberDbError } from '../privacy/db-errors.js'
import { reportSkippedEvent } from './guarded.js'
import { setHttpRoute } from './http-route.js'
import { serverSpanOf } from './http-server.js'
import { type AnyFn, patchMethod, unpatchMethod } from './prototype-patch.js'

const MOUNTS = Symbol('otelkit.express.mounts')
const RECORDED = Symbol('otelkit.express.recordedError')
const WHERE = 'express routes'

interface RouterRequest extends IncomingMessage {
  baseUrl?: string
  next?: unknown
  [MOUNTS]?: string[]
  [RECORDED]?: unknown
  [key: symbol]: unknown
}

type Callback = (error?: unknown) => void
type Method = (this: unknown, ...args: unknown[]) => unknown

/** The patched prototypes of every router copy (an application may load more than one). */
const patched: Array<{ proto: Record<string, unknown>; name: string }> = []
/** The main files of the router copies patched (the express and router entries both ask). */
const patchedCopies = new Set<string>()

function patternText(route: unknown): string | undefined {
  if (typeof route === 'string') return route
  return route instanceof RegExp ? String(route) : undefined
}

/**
 * The template of the mount chain that produced `baseUrl` ('' at the application level). A
 * request's mounts are pairs in an array (baseUrl, template): a request enters one or two routers,
 * where a Map per request cost its construction and the hash of each new `baseUrl` string.
 */
function mountTemplate(req: RouterRequest, baseUrl: string, excludeExact: boolean): string | undefined {
  if (baseUrl === '') return ''
  const mounts = req[MOUNTS]
  if (mounts === undefined) return undefined
  let best: string | undefined
  let bestLength = -1
  // The latest entry for a baseUrl wins, as a Map's set would: read from the end.
  for (let i = mounts.length - 2; i >= 0; i -= 2) {
    const base = mounts[i] as string
    if (base === baseUrl) {
      if (!excludeExact) return mounts[i + 1]
    } else if (base.length > bestLength && base.length < baseUrl.length && baseUrl.startsWith(base)) {
      best = mounts[i + 1]
      bestLength = base.length
    }
  }
  return best ?? (excludeExact ? '' : undefined)
}

/** Templates joined before, by prefix then pattern (both the router's own strings, which repeat). */
const joined = new Map<string, Map<string, string>>()
/** At most this many joined templates are kept (a service has a bounded set of routes). */
const MAX_JOINED = 2000
let joinedCount = 0

/**
 * `prefix` and `pattern` joined with one slash between them. The same pair gives the same string
 * object: the route then compares by identity where it is read at the response's end (a template
 * made per request was a new concatenation, flattened again at each comparison).
 */
function joinPath(prefix: string, pattern: string): string {
  if (prefix === '' || prefix === '/') return pattern
  if (pattern === '/' || pattern === '') return prefix
  let byPattern = joined.get(prefix)
  const known = byPattern?.get(pattern)
  if (known !== undefined) return known
  const path = `${prefix.endsWith('/') ? prefix.slice(0, -1) : prefix}${pattern.startsWith('/') ? '' : '/'}${pattern}`
  if (joinedCount < MAX_JOINED) {
    if (byPattern === undefined) {
      byPattern = new Map()
      joined.set(prefix, byPattern)
    }
    byPattern.set(pattern, path)
    joinedCount++
  }
  return path
}

/** A route is about to run its handlers: mount chain + the route's own pattern. */
function noteRoute(req: RouterRequest, matched: symbol): void {
  const pattern = patternText(req[matched])
  if (pattern === undefined) return
  const prefix = mountTemplate(req, req.baseUrl ?? '', false)
  if (prefix !== undefined) setHttpRoute(req, joinPath(prefix, pattern))
}

/** A mounted router is entered: remember which template produced this `baseUrl`. */
function noteMount(req: RouterRequest, baseUrl: string, matched: symbol): void {
  const pattern = patternText(req[matched])
  if (pattern === undefined) return
  const parent = mountTemplate(req, baseUrl, true) ?? ''
  const template = joinPath(parent, pattern)
  const mounts = req[MOUNTS]
  if (mounts === undefined) req[MOUNTS] = [baseUrl, template]
  else mounts.push(baseUrl, template)
}

/** An error on its way through the router: the server span gets it, once per request. */
function noteError(req: RouterRequest, res: unknown, error: unknown): void {
  if (!(error instanceof Error) || req[RECORDED] === error) return
  req[RECORDED] = error
  // A database's error text quotes values: the span's privacy pass scrubs what it knows of.
  if (isDatabaseError(error)) rememberDbError(error.message)
  serverSpanOf(res)?.recordException(error)
}

/** Runs one of the notes above; an internal error is reported, never thrown into the router. */
function safely<A, B, C>(note: (a: A, b: B, c: C) => void, a: A, b: B, c: C): void {
  try {
    note(a, b, c)
  } catch (error) {
    reportSkippedEvent(WHERE, error)
  }
}

/** The application router's final callback, which errors no error handler took reach. */
function finalCallback(req: RouterRequest, res: unknown, callback: Callback): Callback {
  return function otelkitFinal(error?: unknown): void {
    if (error) safely(noteError, req, res, error)
    callback(error)
  }
}

function patch(
  proto: Record<string, unknown> | undefined,
  name: string,
  wrap: (original: AnyFn) => AnyFn,
): void {
  if (proto === undefined) return
  patchMethod(proto, name, wrap)
  patched.push({ proto, name })
}

/**
 * Patches the router copy whose main file is `routerMain`; false when it keeps no matched
 * pattern (router < 2.3) or cannot be loaded, and nothing was patched.
 */
export function enableExpressRoutes(routerMain: string): boolean {
  if (patchedCopies.has(routerMain)) return true
  const load = createRequire(routerMain)
  let Router: { prototype?: Record<string, unknown>; Route?: { prototype?: Record<string, unknown> } }
  let layerProto: Record<string, unknown> | undefined
  let matchedRoute: unknown
  try {
    Router = load(routerMain)
    layerProto = (load('./lib/layer.js') as { prototype?: Record<string, unknown> }).prototype
    matchedRoute = (load('./lib/symbols.js') as { matchedRoute?: unknown }).matchedRoute
  } catch {
    return false
  }
  const routeProto = Router.Route?.prototype
  if (typeof matchedRoute !== 'symbol' || routeProto === undefined || layerProto === undefined) return false
  const matched = matchedRoute
  patchedCopies.add(routerMain)

  patch(routeProto, 'dispatch', (original) => {
    const dispatch = original as unknown as Method
    return function dispatchWithRoute(this: unknown, req: RouterRequest) {
      safely(noteRoute, req, matched, undefined)
      // biome-ignore lint/complexity/noArguments: forwards the router's arguments unchanged
      return dispatch.apply(this, arguments as unknown as unknown[])
    } as unknown as AnyFn
  })

  patch(Router.prototype, 'handle', (original) => {
    const handle = original as unknown as Method
    return function handleWithMount(this: unknown, req: RouterRequest, res: unknown, callback: unknown) {
      if (req.next === undefined) {
        // The application's router (no router has set req.next yet).
        if (typeof callback === 'function') {
          return handle.call(this, req, res, finalCallback(req, res, callback as Callback))
        }
      } else {
        const baseUrl = req.baseUrl
        if (baseUrl !== undefined && baseUrl !== '') safely(noteMount, req, baseUrl, matched)
      }
      // biome-ignore lint/complexity/noArguments: see above
      return handle.apply(this, arguments as unknown as unknown[])
    } as unknown as AnyFn
  })

  patch(layerProto, 'handleError', (original) => {
    const handleError = original as unknown as Method
    return function handleErrorWithSpan(this: unknown, error: unknown, req: RouterRequest, res: unknown) {
      safely(noteError, req, res, error)
      // biome-ignore lint/complexity/noArguments: see above
      return handleError.apply(this, arguments as unknown as unknown[])
    } as unknown as AnyFn
  })
  return true
}

/** Puts back every method enableExpressRoutes patched. */
export function disableExpressRoutes(): void {
  for (const { proto, name } of patched.splice(0)) unpatchMethod(proto, name)
  patchedCopies.clear()
}
