/**
 * Sends OTLP/HTTP protobuf requests: keep-alive connection, bounded time per request, optional
 * gzip, TLS with a configured CA and client certificate (mTLS), and the specification's retries
 * (otlp/retry.ts) within a deadline. Never throws: it resolves with success (and the server's
 * partial-success report) or a described failure, and the caller counts what was not delivered.
 */
import http from 'node:http'
import { promisify } from 'node:util'
import { exportAgentClass, noteKeepAliveHint } from './export-agent.js'
import { classifyResponse, MAX_RESPONSE_BYTES, type OtlpResponse } from './response.js'
import { type RetriedResponse, sendWithRetry } from './retry.js'
import type { OtlpTlsMaterial } from './tls.js'

/** Loaded on the first compressed export: a plain-http, uncompressed exporter never loads zlib. */
const gzipAsync = (data: Buffer): Promise<Buffer> =>
  promisify(process.getBuiltinModule('node:zlib').gzip)(data)

/** Options of the OTLP/HTTP transport. */
export interface OtlpHttpTransportOptions {
  /** Full URL, e.g. http://collector:4318/v1/traces. */
  url: string
  headers: Record<string, string>
  /** Bound of one request. @default 10000 */
  timeoutMs: number
  /** @default 'none' */
  compression: 'gzip' | 'none'
  /** CA and client key/certificate (PEM) for an https:// URL (otlp/tls.ts loads them). @default {} (system CAs, no client certificate) */
  tls?: OtlpTlsMaterial
}

/** How one `send` may spend its time. */
export interface SendOptions {
  /** No request starts and no back-off ends after this time (ms since epoch). */
  deadline: number
  /** Whether retryable failures are retried (false: one attempt, as on shutdown). @default true */
  retry?: boolean
}

export type SendResult = RetriedResponse

/** Header names the transport sets itself; the same names among the configured headers are dropped. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'content-encoding'])

/**
 * The request's fixed headers as the flat name/value list Node accepts: with a list, Node writes
 * the header block directly instead of calling `setHeader` on the request for each header, the
 * function the application's responses go through as well (its property loads then see one more
 * kind of object, and become megamorphic for every response). `host` is added unless configured.
 */
function fixedHeaderList(url: URL, configured: Record<string, string>): string[] {
  const list: string[] = []
  let host = false
  for (const [name, value] of Object.entries(configured)) {
    const lower = name.toLowerCase()
    if (OWN_HEADERS.has(lower)) continue
    if (lower === 'host') host = true
    list.push(name, value)
  }
  if (!host) list.push('host', url.host)
  list.push('content-type', 'application/x-protobuf')
  return list
}

/** The response headers the transport reads. */
interface ReadHeaders {
  'retry-after'?: string
  'content-type'?: string
  'keep-alive'?: string
}

/**
 * The response headers the transport reads, taken from the raw list: the `headers` getter of a
 * client response is the one the application's incoming requests go through, and a client
 * response is one more kind of object for its property loads (it made them megamorphic).
 */
function responseHeaders(raw: readonly string[]): ReadHeaders {
  const found: ReadHeaders = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    if (name === 'content-type' || name === 'retry-after' || name === 'keep-alive') found[name] ??= raw[i + 1]
  }
  return found
}

/** Network errors are retryable: the collector may be restarting. */
function networkFailure(error: string): OtlpResponse {
  return { ok: false, error, retryable: true }
}

export function createOtlpHttpTransport(options: OtlpHttpTransportOptions) {
  const url = new URL(options.url)
  const secure = url.protocol === 'https:'
  // node:https (and TLS with it) only for an https:// endpoint: loading it costs start-up time.
  const https = secure ? process.getBuiltinModule('node:https') : undefined
  const agent = https
    ? new (exportAgentClass(https.Agent))({ keepAlive: true, maxSockets: 2, ...options.tls })
    : new (exportAgentClass(http.Agent))({ keepAlive: true, maxSockets: 2 })
  const request = https ? https.request : http.request
  const fixedHeaders = fixedHeaderList(url, options.headers)

  function post(payload: Buffer, headers: string[], timeoutMs: number): Promise<OtlpResponse> {
    return new Promise<OtlpResponse>((resolve) => {
      let settled = false
      const done = (result: OtlpResponse) => {
        if (settled) return
        settled = true
        resolve(result)
      }
      const req = request(url, { method: 'POST', headers, agent, timeout: timeoutMs }, (res) => {
        const headers = responseHeaders(res.rawHeaders)
        // Before the response ends: the agent decides then whether to keep the socket.
        noteKeepAliveHint(res.socket, headers['keep-alive'])
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return
          size += chunk.length
          chunks.push(chunk)
        })
        res.on('end', () => {
          const body = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES)
          done(classifyResponse(res.statusCode ?? 0, headers, body))
        })
        res.on('error', (error) => done(networkFailure(error.message)))
      })
      req.on('timeout', () => {
        req.destroy(new Error(`timed out after ${timeoutMs} ms`))
      })
      req.on('error', (error: NodeJS.ErrnoException) => done(networkFailure(error.code ?? error.message)))
      req.end(payload)
    })
  }

  async function send(body: Buffer, sendOptions: SendOptions): Promise<SendResult> {
    let payload = body
    const headers = fixedHeaders.slice()
    if (options.compression === 'gzip') {
      payload = await gzipAsync(body)
      headers.push('content-encoding', 'gzip')
    }
    headers.push('content-length', String(payload.length))
    // A back-off timer that fires late (a busy event loop) can leave no time for the next
    // request: the outcome is then the last real answer, not a made-up one.
    let last: OtlpResponse | undefined
    const attempt = async () => {
      const left = sendOptions.deadline - Date.now()
      if (left <= 0) return last ?? networkFailure('export deadline passed before sending')
      last = await post(payload, headers, Math.min(options.timeoutMs, left))
      return last
    }
    if (sendOptions.retry === false) return { ...(await attempt()), attempts: 1 }
    return sendWithRetry(attempt, { deadline: sendOptions.deadline })
  }

  return {
    send,
    close: () => agent.destroy(),
  }
}
