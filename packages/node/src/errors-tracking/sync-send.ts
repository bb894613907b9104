/**
 * A synchronous, time-bounded HTTP POST for the moment the process is about to die: Node gives
 * an `uncaughtExceptionMonitor` listener no turn of the event loop, so an ordinary (async)
 * export would never leave the process. A short-lived child Node process sends the requests
 * while this one blocks in `spawnSync`, for at most `timeoutMs`. The child runs without
 * NODE_OPTIONS and with OTEL_SDK_DISABLED, so it never loads the preload itself.
 */

export interface PostRequest {
  url: string
  headers: Record<string, string>
  body: string
  /** PEM CA, client key and certificate for an https:// endpoint (the signal's OTLP TLS). */
  tls?: { ca?: string; key?: string; cert?: string }
}

const SENDER = `
const http = require('node:http')
const https = require('node:https')
function post(r, timeoutMs) {
  return new Promise((resolve, reject) => {
    const url = new URL(r.url)
    const client = url.protocol === 'https:' ? https : http
    const headers = { ...r.headers, 'content-length': Buffer.byteLength(r.body) }
    const req = client.request(url, { method: 'POST', headers, timeout: timeoutMs, ...(r.tls || {}) }, (res) => {
      res.resume()
      res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve() : reject(new Error('HTTP ' + res.statusCode))))
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end(r.body)
  })
}
let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (c) => { input += c })
process.stdin.on('end', async () => {
  const { requests, timeoutMs } = JSON.parse(input)
  const results = await Promise.allSettled(requests.map((r) => post(r, timeoutMs)))
  process.exitCode = results.every((r) => r.status === 'fulfilled') ? 0 : 1
})
`

/** Sends the requests; true when every one was accepted within the budget. Never throws. */
export function postSync(requests: PostRequest[], timeoutMs: number): boolean {
  if (requests.length === 0) return true
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, OTEL_SDK_DISABLED: 'true' }
    delete env.NODE_OPTIONS
    const { spawnSync } = process.getBuiltinModule('node:child_process')
    const result = spawnSync(process.execPath, ['-e', SENDER], {
      input: JSON.stringify({ requests, timeoutMs }),
      timeout: timeoutMs,
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
      windowsHide: true,
    })
    return result.status === 0
  } catch {
    return false
  }
}
