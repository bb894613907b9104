/**
 * Bearer-token checks for debug routes and /metrics, compared in constant time so a token
 * cannot be guessed byte by byte from response timings.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { OpsHandler } from './routes.js'

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** True when the request carries `Authorization: Bearer <token>` for exactly this token. */
export function hasBearerToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization
  if (typeof header !== 'string') return false
  const match = /^Bearer\s+(.+)$/i.exec(header.trim())
  if (!match?.[1]) return false
  // Hashing first gives equal-length buffers, as timingSafeEqual requires.
  return timingSafeEqual(digest(match[1]), digest(token))
}

/**
 * Wraps an ops handler so that, when `token` is set, only requests carrying it get through; the
 * others get 401 with a `WWW-Authenticate` challenge. `variable` names the setting in the reply.
 */
export function requireBearerToken(
  token: string | undefined,
  variable: string,
  handler: OpsHandler,
): OpsHandler {
  if (token === undefined) return handler
  return (req, res, url) => {
    if (hasBearerToken(req, token)) return handler(req, res, url)
    res
      .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="otelkit"' })
      .end(`unauthorized: send Authorization: Bearer <${variable}>\n`)
  }
}
