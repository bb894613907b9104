/**
 * Bearer-token check for debug routes, compared in constant time so the token cannot be
 * guessed byte by byte from response timings.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

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
