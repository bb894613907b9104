/**
 * Fastify route templates without patching: Fastify publishes each new instance on the
 * `fastify.initialization` diagnostics channel; otelkit adds one `onRequest` hook that copies
 * the matched route template (prefix included) onto the raw request for the HTTP server span
 * and metrics. Unmatched requests (404) keep no route.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import type { IncomingMessage } from 'node:http'
import { guarded } from './guarded.js'
import { setHttpRoute } from './http-route.js'

interface FastifyRequestLike {
  raw: IncomingMessage
  routeOptions?: { url?: string }
  routerPath?: string
  is404?: boolean
}

interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestLike, reply: unknown, done: () => void) => void,
  ): void
}

function onRequest(request: FastifyRequestLike, _reply: unknown, done: () => void): void {
  const url = request.routeOptions?.url ?? request.routerPath
  if (url !== undefined && request.is404 !== true) setHttpRoute(request.raw, url)
  done()
}

const onInitialization = guarded('fastify routes', (message: unknown): void => {
  const fastify = (message as { fastify?: FastifyLike }).fastify
  try {
    fastify?.addHook('onRequest', onRequest)
  } catch {
    // an unexpected Fastify shape: routes fall back to none
  }
})

let subscribed = false

export function enableFastifyRoutes(): void {
  if (subscribed) return
  diagnosticsChannel.subscribe('fastify.initialization', onInitialization)
  subscribed = true
}

export function disableFastifyRoutes(): void {
  if (!subscribed) return
  diagnosticsChannel.unsubscribe('fastify.initialization', onInitialization)
  subscribed = false
}
