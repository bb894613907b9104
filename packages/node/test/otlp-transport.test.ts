/**
 * The OTLP/HTTP transport's connection reuse against a real node:http server: exports share one
 * kept-alive socket, a server that announces an idle timeout of one second or less gets a new
 * connection for each export (Node's rule, kept by otelkit's own agent), and an idle kept socket
 * does not keep the process alive.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createOtlpHttpTransport } from '../src/otlp/http-transport.js'
import { killAll, startService } from './support/service.js'

const servers: http.Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})
afterAll(() => killAll())

/** A receiver answering 200 to every POST; `ports` lists the client port of each request. */
async function receiver(keepAliveTimeoutMs: number) {
  const ports: number[] = []
  const server = http.createServer((req, res) => {
    ports.push(req.socket.remotePort as number)
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end())
  })
  server.keepAliveTimeout = keepAliveTimeoutMs
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`
  return { url, ports }
}

async function sendTwice(url: string) {
  const transport = createOtlpHttpTransport({ url, headers: {}, timeoutMs: 5000, compression: 'none' })
  try {
    const deadline = Date.now() + 5000
    const first = await transport.send(Buffer.from([1, 2, 3]), { deadline })
    // Let the first socket go back to the agent before the second export.
    await new Promise((r) => setTimeout(r, 50))
    const second = await transport.send(Buffer.from([4, 5, 6]), { deadline })
    return [first, second]
  } finally {
    transport.close()
  }
}

describe('OTLP/HTTP transport connections', () => {
  it('sends consecutive exports on one kept-alive connection', async () => {
    const { url, ports } = await receiver(5000)
    const results = await sendTwice(url)
    expect(results.map((r) => r.ok)).toEqual([true, true])
    expect(ports).toHaveLength(2)
    expect(ports[1]).toBe(ports[0])
  })

  it('opens a new connection when the server announces an idle timeout of one second', async () => {
    const { url, ports } = await receiver(1000)
    const results = await sendTwice(url)
    expect(results.map((r) => r.ok)).toEqual([true, true])
    expect(ports).toHaveLength(2)
    expect(ports[1]).not.toBe(ports[0])
  })

  it('an idle kept connection does not keep the process alive', async () => {
    // The server runs in a child process, so that only the transport's client socket is in this
    // thread's event loop.
    const service = await startService({ fixture: 'http-app.mjs', preload: 'none' })
    const transport = createOtlpHttpTransport({
      url: service.url('/v1/traces'),
      headers: {},
      timeoutMs: 5000,
      compression: 'none',
    })
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length
    try {
      const before = sockets()
      const result = await transport.send(Buffer.from([1, 2, 3]), { deadline: Date.now() + 5000 })
      expect(result.attempts).toBe(1)
      await new Promise((r) => setTimeout(r, 50))
      // The connection is kept (the next export reuses it) but holds the event loop no more.
      expect(sockets()).toBe(before)
    } finally {
      transport.close()
      await service.stop()
    }
  })
})
