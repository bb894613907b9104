/**
 * The OTLP/HTTP transport's connection reuse against the test OTLP receiver: exports share one
 * kept-alive socket, a server that announces an idle timeout of one second or less gets a new
 * connection for each export (Node's rule, kept by otelkit's own agent), and an idle kept socket
 * does not keep the process alive.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createOtlpHttpTransport } from '../src/otlp/http-transport.js'
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js'
import { killAll, startService } from './support/service.js'

const receivers: OtlpReceiver[] = []
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})
afterAll(() => killAll())

/** Two exports (empty requests) to a receiver keeping idle connections `keepAliveTimeoutMs`. */
async function sendTwice(keepAliveTimeoutMs: number) {
  const receiver = await startOtlpReceiver({ keepAliveTimeoutMs })
  receivers.push(receiver)
  const transport = createOtlpHttpTransport({
    url: `${receiver.url}/v1/traces`,
    headers: {},
    timeoutMs: 5000,
    compression: 'none',
  })
  try {
    const deadline = Date.now() + 5000
    const first = await transport.send(Buffer.alloc(0), { deadline })
    // Let the first socket go back to the agent before the second export.
    await new Promise((r) => setTimeout(r, 50))
    const second = await transport.send(Buffer.alloc(0), { deadline })
    return { results: [first.ok, second.ok], ports: receiver.requests.map((r) => r.clientPort) }
  } finally {
    transport.close()
  }
}

describe('OTLP/HTTP transport connections', () => {
  it('sends consecutive exports on one kept-alive connection', async () => {
    const { results, ports } = await sendTwice(5000)
    expect(results).toEqual([true, true])
    expect(ports).toHaveLength(2)
    expect(ports[1]).toBe(ports[0])
  })

  it('opens a new connection when the server announces an idle timeout of one second', async () => {
    const { results, ports } = await sendTwice(1000)
    expect(results).toEqual([true, true])
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
