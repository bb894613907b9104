/**
 * Express 5 route templates from router 2.3+'s own `express.router.request` tracing channel (no
 * patching, no per-middleware spans). For each handler the router publishes the pattern that
 * matched; otelkit composes mount patterns with route patterns (`/api` + `/items/:id`), keyed by
 * the request's actual `baseUrl`, so parametrised mounts still yield templates, never raw paths.
 * Errors a handler throws, rejects with or passes to next() are recorded on the server span, so
 * error tracking groups them by type, message and stack. Express 4 (and router < 2.3) keep the
 * upstream instrumentation (see catalog.ts).
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import type { IncomingMessage } from 'node:http'
import { isDatabaseError, rememberDbError } from '../privacy/db-errors.js'
import { guardedHandlers } from './guarded.js'
import { setHttpRoute } from './http-route.js'
import { serverSpanOf } from './http-server.js'

const MOUNTS = Symbol('otelkit.express.mounts')

interface RouterRequest extends IncomingMessage {
  baseUrl?: string
  [MOUNTS]?: Map<string, string>
}

interface RequestContext {
  req: RouterRequest
  layer?: { method?: string }
  handler?: { stack?: unknown }
  route?: string | RegExp
}

function patternText(route: string | RegExp | undefined): string | undefined {
  if (route === undefined) return undefined
  return typeof route === 'string' ? route : String(route)
}

/** The template of the mount chain that produced `baseUrl` ('' at the application level). */
function mountTemplate(req: RouterRequest, baseUrl: string, excludeExact: boolean): string | undefined {
  if (baseUrl === '') return ''
  const mounts = req[MOUNTS]
  if (mounts === undefined) return undefined
  if (!excludeExact) {
    const exact = mounts.get(baseUrl)
    if (exact !== undefined) return exact
  }
  let best: string | undefined
  let bestLength = -1
  for (const [base, template] of mounts) {
    if (base.length > bestLength && base.length < baseUrl.length && baseUrl.startsWith(base)) {
      best = template
      bestLength = base.length
    }
  }
  return best ?? (excludeExact ? '' : undefined)
}

function onStart(message: unknown): void {
  const ctx = message as RequestContext
  const req = ctx.req
  const pattern = patternText(ctx.route)
  if (req === undefined || pattern === undefined) return
  const baseUrl = req.baseUrl ?? ''
  if (ctx.layer?.method !== undefined) {
    // A route's handler: mount chain + the route's own pattern.
    const prefix = mountTemplate(req, baseUrl, false)
    if (prefix !== undefined) setHttpRoute(req, joinPath(prefix, pattern))
    return
  }
  if (ctx.handler && Array.isArray(ctx.handler.stack) && baseUrl !== '') {
    // A mounted router: remember which template produced this baseUrl.
    const parent = mountTemplate(req, baseUrl, true) ?? ''
    let mounts = req[MOUNTS]
    if (mounts === undefined) {
      mounts = new Map()
      req[MOUNTS] = mounts
    }
    mounts.set(baseUrl, joinPath(parent, pattern))
  }
}

function joinPath(prefix: string, pattern: string): string {
  if (prefix === '' || prefix === '/') return pattern
  if (pattern === '/' || pattern === '') return prefix
  return `${prefix.replace(/\/$/, '')}${pattern.startsWith('/') ? '' : '/'}${pattern}`
}

/** A handler threw, rejected or passed an error to next(): the server span gets the exception. */
function onError(message: unknown): void {
  const { res, error } = message as { res?: unknown; error?: unknown }
  if (!(error instanceof Error)) return
  // A database's error text quotes values: the span's privacy pass scrubs what it knows of.
  if (isDatabaseError(error)) rememberDbError(error.message)
  serverSpanOf(res)?.recordException(error)
}

const handlers = guardedHandlers('express routes', { start: onStart, error: onError })
let subscribed = false

export function enableExpressChannel(): void {
  if (subscribed) return
  diagnosticsChannel.tracingChannel('express.router.request').subscribe(handlers as never)
  subscribed = true
}

export function disableExpressChannel(): void {
  if (!subscribed) return
  diagnosticsChannel.tracingChannel('express.router.request').unsubscribe(handlers as never)
  subscribed = false
}
