/**
 * Sends one OTLP/HTTP protobuf request: keep-alive connection, bounded time, optional gzip.
 * Resolves with success or a described failure; never throws, never retries (the caller counts
 * what it could not deliver).
 */
import http from 'node:http'
import https from 'node:https'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'

const gzipAsync = promisify(gzip)

/** Options of the OTLP/HTTP transport. */
export interface OtlpHttpTransportOptions {
  /** Full URL, e.g. http://collector:4318/v1/traces. */
  url: string
  headers: Record<string, string>
  /** @default 10000 */
  timeoutMs: number
  /** @default 'none' */
  compression: 'gzip' | 'none'
}

export type SendResult = { ok: true } | { ok: false; error: string }

export function createOtlpHttpTransport(options: OtlpHttpTransportOptions) {
  const url = new URL(options.url)
  const secure = url.protocol === 'https:'
  const agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 2 })
  const request = secure ? https.request : http.request

  async function send(body: Buffer): Promise<SendResult> {
    let payload = body
    const headers: Record<string, string> = {
      ...options.headers,
      'content-type': 'application/x-protobuf',
    }
    if (options.compression === 'gzip') {
      payload = await gzipAsync(body)
      headers['content-encoding'] = 'gzip'
    }
    headers['content-length'] = String(payload.length)
    return new Promise<SendResult>((resolve) => {
      let settled = false
      const done = (result: SendResult) => {
        if (settled) return
        settled = true
        resolve(result)
      }
      const req = request(url, { method: 'POST', headers, agent, timeout: options.timeoutMs }, (res) => {
        res.resume()
        res.on('end', () => {
          const status = res.statusCode ?? 0
          done(status >= 200 && status < 300 ? { ok: true } : { ok: false, error: `HTTP ${status}` })
        })
        res.on('error', (error) => done({ ok: false, error: error.message }))
      })
      req.on('timeout', () => {
        req.destroy(new Error(`timed out after ${options.timeoutMs} ms`))
      })
      req.on('error', (error: NodeJS.ErrnoException) =>
        done({ ok: false, error: error.code ?? error.message }),
      )
      req.end(payload)
    })
  }

  return {
    send,
    close: () => agent.destroy(),
  }
}
