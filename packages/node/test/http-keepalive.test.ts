/**
 * Keep-alive connections through the real preload: an idle connection does not keep its last
 * request's server span alive (Node's idle timer of the connection holds the request's async
 * context until the next request), and work that goes on after the response still reads the
 * request's span ids and parents its spans to the server span.
 */
import http from 'node:http'
import { describe, expect, it } from 'vitest'
import { exportTo, receiverForFile, startService } from './support/service.js'

const receiver = receiverForFile()

/** GET through `agent`, the body as text. */
function get(port: number, path: string, agent: http.Agent | false): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (chunk) => {
          body += chunk
        })
        res.on('end', () => resolve(body))
      })
      .on('error', reject)
  })
}

describe('keep-alive connections', () => {
  it('an idle connection keeps no ended server span alive; later work still reads its request span', async () => {
    const service = await startService({
      fixture: 'http-app.mjs',
      env: exportTo(receiver, 'keepalive-app'),
      nodeArgs: ['--expose-gc'],
    })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 })
    try {
      const requests = Array.from({ length: 10 }, (_, n) => get(service.port, `/kept/${n}`, agent))
      expect(await Promise.all(requests)).toEqual(Array(10).fill('kept'))
      // Ten connections stay open and idle on both sides; the continuations run after 20 ms.
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(10)
      const kept = JSON.parse(await get(service.port, '/__kept', false))
      expect(kept).toEqual({ alive: 0, total: 10, continuations: 10, continuationsOnTheirSpan: 10 })

      await receiver.waitFor(
        (spans) =>
          spans.filter((s) => s.service === 'keepalive-app' && s.name.startsWith('after ')).length === 10,
      )
      const spans = receiver.spans.filter((s) => s.service === 'keepalive-app')
      for (let n = 0; n < 10; n++) {
        const server = spans.find((s) => s.attributes['url.path'] === `/kept/${n}`)
        const after = spans.find((s) => s.name === `after response ${n}`)
        expect(server, `server span of /kept/${n}`).toBeDefined()
        expect(after?.parentSpanId).toBe(server?.spanId)
        expect(after?.traceId).toBe(server?.traceId)
      }
    } finally {
      agent.destroy()
      await service.stop()
    }
  })
})
