/**
 * The ops server: one HTTP server (default 0.0.0.0:9464) for /metrics, health and debug routes.
 * It never takes the service down: a taken port or a throwing handler is logged and absorbed.
 * Its own requests are not traced (see `isOpsServer`).
 */
import { createServer, type Server } from 'node:http'
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
}

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

export function startOpsServer(options: OpsServerOptions): RunningOpsServer {
  const server = createServer((req, res) => {
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
  server.keepAliveTimeout = 65_000
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
