/**
 * The ops server: one HTTP server (default 0.0.0.0:9464) for /metrics, health and debug routes.
 * It never takes the service down: a taken port or a throwing handler is logged and absorbed.
 * Its own requests are not traced (see `isOpsServer`).
 *
 * It expects hostile clients: connections are capped, a connection pipelining more requests than
 * `maxPipelinedRequests` is closed, headers and requests must arrive within their timeouts, and
 * responses are written with back-pressure (see send.ts), so a client that never reads costs
 * socket buffers, not memory per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { log } from '../logger.js'
import { hasBearerToken } from './auth.js'
import { findOpsRoute } from './routes.js'

/** Options of the ops server. */
export interface OpsServerOptions {
  /** @default 9464 */
  port: number
  /** @default '0.0.0.0' */
  host: string
  /** Bearer token that enables /debug/* routes; undefined keeps them off (404). */
  debugToken: string | undefined
  /** Most connections open at once; further ones are closed on arrival. @default 128 */
  maxConnections?: number
  /** Requests one connection may have unanswered (pipelined) at once; past it the connection is closed. @default 8 */
  maxPipelinedRequests?: number
  /** Time allowed to receive a request's headers, in ms. @default 10000 */
  headersTimeoutMs?: number
  /** Time allowed to receive a whole request, in ms. @default 15000 */
  requestTimeoutMs?: number
  /** Idle time before a kept-alive connection is closed, in ms (outlives a 60 s scrape interval). @default 65000 */
  keepAliveTimeoutMs?: number
}

/** Defaults of the optional ops server limits. */
export const OPS_SERVER_LIMITS = {
  maxConnections: 128,
  maxPipelinedRequests: 8,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 65_000,
} as const

/**
 * Requests in flight on each connection, kept beside the sockets: a property of its own on a socket
 * would give the ops server's sockets a hidden class the service's sockets do not have, and
 * Node's socket code (every write of the service) would see one class more (http-server.ts,
 * `onConnectionEvent`).
 */
const inFlightOf = new WeakMap<Socket, number>()

const OPS_SERVER = Symbol.for('otelkit.opsServer')

/** True for the ops server itself, whose requests must not produce telemetry. */
export function isOpsServer(server: unknown): boolean {
  return typeof server === 'object' && server !== null && OPS_SERVER in server
}

export interface RunningOpsServer {
  server: Server
  /** The bound port (differs from the option when it was 0). */
  port: number | undefined
  close(): Promise<void>
}

function onResponseClose(this: ServerResponse): void {
  const socket = this.req.socket
  inFlightOf.set(socket, (inFlightOf.get(socket) ?? 1) - 1)
}

export function startOpsServer(options: OpsServerOptions): RunningOpsServer {
  const maxPipelined = options.maxPipelinedRequests ?? OPS_SERVER_LIMITS.maxPipelinedRequests
  const headersTimeout = options.headersTimeoutMs ?? OPS_SERVER_LIMITS.headersTimeoutMs
  const server = createServer({
    headersTimeout,
    requestTimeout: Math.max(headersTimeout, options.requestTimeoutMs ?? OPS_SERVER_LIMITS.requestTimeoutMs),
    keepAliveTimeout: options.keepAliveTimeoutMs ?? OPS_SERVER_LIMITS.keepAliveTimeoutMs,
    // Checked often enough for the short timeouts tests use (Node's default is every 30 s).
    connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(headersTimeout / 4))),
  })
  server.maxConnections = options.maxConnections ?? OPS_SERVER_LIMITS.maxConnections
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket
    const inFlight = (inFlightOf.get(socket) ?? 0) + 1
    inFlightOf.set(socket, inFlight)
    res.once('close', onResponseClose)
    if (inFlight > maxPipelined) {
      // A client that queues this many requests without reading the answers is not a scraper.
      socket.destroy()
      return
    }
    const url = new URL(req.url ?? '/', 'http://ops.local')
    const route = findOpsRoute(url.pathname)
    if (!route || (route.debug && options.debugToken === undefined)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    if (route.debug && !hasBearerToken(req, options.debugToken as string)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="otelkit"' })
        .end('unauthorized: send Authorization: Bearer <OTELKIT_DEBUG_TOKEN>\n')
      return
    }
    Promise.resolve()
      .then(() => route.handler(req, res, url))
      .catch((error: unknown) => {
        log.warn(`ops route ${url.pathname} failed: ${(error as Error)?.message ?? String(error)}`)
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('internal error\n')
      })
  })
  Object.defineProperty(server, OPS_SERVER, { value: true })
  const running: RunningOpsServer = {
    server,
    port: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
        if (!server.listening) resolve()
      }),
  }
  server.on('error', (error: NodeJS.ErrnoException) => {
    const hint =
      error.code === 'EADDRINUSE'
        ? `port ${options.port} is in use; set OTELKIT_OPS_PORT to a free port (or 0 for any)`
        : error.message
    log.warn(
      `ops server could not listen on ${options.host}:${options.port}: ${hint}; the service runs on without /metrics and health endpoints`,
    )
  })
  server.listen(options.port, options.host, () => {
    const address = server.address()
    running.port = typeof address === 'object' && address ? address.port : undefined
    log.debug(`ops server listening on ${options.host}:${running.port}`)
  })
  // The ops server must never keep a finished service alive.
  server.unref()
  return running
}
