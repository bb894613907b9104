/**
 * Sends OTLP/HTTP protobuf requests: keep-alive connection, bounded time per request, optional
 * gzip, TLS with a configured CA and client certificate (mTLS), and the specification's retries
 * (otlp/retry.ts) within a deadline. Never throws: it resolves with success (and the server's
 * partial-success report) or a described failure, and the caller counts what was not delivered.
 * Requests go through otelkit's HTTP/1.1 client on a plain socket (http1-client.ts says why).
 */
import { promisify } from 'node:util'
import { log } from '../logger.js'
import { OTELKIT_VERSION } from '../version.js'
import { Http1Client, type Http1RequestError } from './http1-client.js'
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
  /** The bodies' media type. @default 'application/x-protobuf' */
  contentType?: 'application/x-protobuf' | 'application/json'
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

/** How the exporter names itself: product tokens, RFC 9110. */
const USER_AGENT = `otelkit/${OTELKIT_VERSION} OTel-OTLP-Exporter-JavaScript Node.js/${process.versions.node}`

/** An HTTP token (a header name), RFC 9110. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** Whether a header value holds a control character other than tab (CR and LF above all). */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true
  }
  return false
}

/**
 * The request line and fixed headers of every request to `url`, ending before the per-request
 * headers. `host` and `user-agent` (the OTLP specification asks exporters to name themselves) are
 * added unless configured. A configured header with a name that is not a token
 * or a value holding a control character would break the request (or inject one): it is left out,
 * with one line saying which (never its value).
 */
function fixedHead(url: URL, configured: Record<string, string>, contentType: string): string {
  let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\n`
  let host = false
  let agent = false
  for (const [name, value] of Object.entries(configured)) {
    const lower = name.toLowerCase()
    if (OWN_HEADERS.has(lower)) continue
    if (!TOKEN.test(name) || hasControlCharacter(value)) {
      log.warn(
        `OTLP export header ${JSON.stringify(name)} is not sent: its name must be an HTTP token and its value may not hold line breaks or control characters; fix it in OTEL_EXPORTER_OTLP_HEADERS or the otlpHeaders option`,
      )
      continue
    }
    if (lower === 'host') host = true
    if (lower === 'user-agent') agent = true
    head += `${name}: ${value}\r\n`
  }
  if (!host) head += `host: ${url.host}\r\n`
  if (!agent) head += `user-agent: ${USER_AGENT}\r\n`
  return `${head}content-type: ${contentType}\r\n`
}

/** Network errors are retryable: the collector may be restarting. */
function networkFailure(error: string): OtlpResponse {
  return { ok: false, error, retryable: true }
}

export function createOtlpHttpTransport(options: OtlpHttpTransportOptions) {
  const url = new URL(options.url)
  const client = new Http1Client(url, { maxSockets: 2, tls: options.tls, maxBodyBytes: MAX_RESPONSE_BYTES })
  const head = fixedHead(url, options.headers, options.contentType ?? 'application/x-protobuf')

  async function post(payload: Buffer, headers: string, timeoutMs: number): Promise<OtlpResponse> {
    try {
      const response = await client.request(headers, payload, timeoutMs)
      return classifyResponse(response.status, response.headers, response.body)
    } catch (error) {
      const failure = error as Http1RequestError
      return networkFailure(failure.code ?? failure.message)
    }
  }

  async function send(body: Buffer, sendOptions: SendOptions): Promise<SendResult> {
    let payload = body
    let headers = head
    if (options.compression === 'gzip') {
      payload = await gzipAsync(body)
      headers += 'content-encoding: gzip\r\n'
    }
    headers += `content-length: ${payload.length}\r\n\r\n`
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
    close: () => client.close(),
  }
}
