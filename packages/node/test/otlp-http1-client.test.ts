/**
 * The OTLP/HTTP transport's own HTTP/1.1 client against a server that answers with scripted
 * bytes: every response framing (Content-Length in pieces, chunked, until close, interim 100),
 * malformed answers and silence as described failures, a kept socket the server had closed
 * resent once on a new connection, at most two connections, a request that timed out waiting for
 * one never sent late, closing failing what is in flight, and configured headers that would break
 * the request left out.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { log } from '../src/logger.js'
import { createOtlpHttpTransport } from '../src/otlp/http-transport.js'
import { OTELKIT_VERSION } from '../src/version.js'
import {
  plainAnswer,
  type ScriptedAnswer,
  type ScriptedHttpServer,
  type ScriptedRequest,
  startScriptedHttpServer,
} from './support/scripted-http.js'

const servers: ScriptedHttpServer[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(answer: (request: ScriptedRequest) => ScriptedAnswer) {
  const server = await startScriptedHttpServer(answer)
  servers.push(server)
  return server
}

function transportTo(
  server: ScriptedHttpServer,
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
) {
  return createOtlpHttpTransport({
    url: `${server.url}/v1/traces?tenant=a`,
    headers: options.headers ?? {},
    timeoutMs: options.timeoutMs ?? 5000,
    compression: 'none',
  })
}

/** An ExportTraceServiceResponse with partial_success { rejected_spans, error_message }. */
function partialSuccess(rejected: number, message: string): Buffer {
  const text = Buffer.from(message)
  const inner = Buffer.concat([Buffer.from([0x08, rejected, 0x12, text.length]), text])
  return Buffer.concat([Buffer.from([0x0a, inner.length]), inner])
}

const once = { deadline: 0, retry: false }
const sendOnce = (transport: ReturnType<typeof transportTo>, body = Buffer.from('spans')) =>
  transport.send(body, { ...once, deadline: Date.now() + 5000 })

describe('OTLP/HTTP transport: its HTTP/1.1 client', () => {
  it('writes the request line, host, user agent, type and length, and the body', async () => {
    const server = await serve(() => plainAnswer(200))
    const transport = transportTo(server, { headers: { 'x-tenant': 'shop' } })
    try {
      expect(await sendOnce(transport, Buffer.from('0123456789'))).toMatchObject({ ok: true, attempts: 1 })
      const [request] = server.requests
      expect(request?.head.split('\r\n')[0]).toBe('POST /v1/traces?tenant=a HTTP/1.1')
      expect(request?.headers).toMatchObject({
        host: new URL(server.url).host,
        'content-type': 'application/x-protobuf',
        'content-length': '10',
        'x-tenant': 'shop',
      })
      expect(request?.headers['user-agent']).toMatch(new RegExp(`^otelkit/${OTELKIT_VERSION} `))
      expect(request?.body.toString()).toBe('0123456789')
    } finally {
      transport.close()
    }
  })

  it('reads a Content-Length body that arrives in pieces, and a chunked one (partial success in both)', async () => {
    const body = partialSuccess(3, 'too old')
    const head = `HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\n`
    const server = await serve(({ n }) => {
      if (n === 0) {
        const whole = Buffer.concat([Buffer.from(`${head}content-length: ${body.length}\r\n\r\n`), body])
        return { pieces: [...whole].map((byte) => Buffer.from([byte])) }
      }
      return {
        pieces: [
          `${head}transfer-encoding: chunked\r\n\r\n`,
          `4\r\n`,
          Buffer.concat([body.subarray(0, 4), Buffer.from('\r\n')]),
          `${(body.length - 4).toString(16)}\r\n`,
          Buffer.concat([body.subarray(4), Buffer.from('\r\n0\r\n\r\n')]),
        ],
      }
    })
    const transport = transportTo(server)
    try {
      const expected = { ok: true, partial: { rejected: 3, message: 'too old' } }
      expect(await sendOnce(transport)).toMatchObject(expected)
      expect(await sendOnce(transport)).toMatchObject(expected)
      // Both responses were read to their end: the second request went on the first connection.
      expect(server.requests.map((r) => r.connection)).toEqual([0, 0])
    } finally {
      transport.close()
    }
  })

  it('reads a body that ends with the connection, skips an interim 100, and opens a new connection after `connection: close`', async () => {
    const body = partialSuccess(1, 'late')
    const server = await serve(({ n }) => {
      if (n === 0) {
        return {
          pieces: ['HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\n\r\n', body],
          close: true,
        }
      }
      if (n === 1)
        return {
          pieces: [
            'HTTP/1.1 100 Continue\r\n\r\n',
            'HTTP/1.1 503 No\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
          ],
        }
      return plainAnswer(200)
    })
    const transport = transportTo(server)
    try {
      expect(await sendOnce(transport)).toMatchObject({ ok: true, partial: { rejected: 1, message: 'late' } })
      expect(await sendOnce(transport)).toMatchObject({ ok: false, error: 'HTTP 503', retryable: true })
      expect(await sendOnce(transport)).toMatchObject({ ok: true })
      expect(server.requests.map((r) => r.connection)).toEqual([0, 1, 2])
    } finally {
      transport.close()
    }
  })

  it('a malformed answer and a server that never answers are failures that say so, not hangs', async () => {
    const server = await serve(({ n }) => (n === 0 ? { pieces: ['SMTP ready\r\n\r\n'] } : 'hang'))
    const transport = transportTo(server, { timeoutMs: 300 })
    try {
      expect(await sendOnce(transport)).toMatchObject({
        ok: false,
        error: 'malformed status line',
        retryable: true,
      })
      expect(await sendOnce(transport)).toMatchObject({
        ok: false,
        error: 'timed out after 300 ms',
        retryable: true,
      })
      // The malformed answer's connection was closed, not reused.
      expect(server.requests.map((r) => r.connection)).toEqual([0, 1])
    } finally {
      transport.close()
    }
  })

  it('resends once, on a new connection, a request whose kept connection the server had closed', async () => {
    // The server resets the kept connection when the second request arrives, before any answer.
    const server = await serve(({ onConnection }) => (onConnection === 1 ? 'destroy' : plainAnswer(200)))
    const transport = transportTo(server)
    try {
      expect(await sendOnce(transport)).toMatchObject({ ok: true })
      await new Promise((r) => setTimeout(r, 20))
      expect(await sendOnce(transport)).toMatchObject({ ok: true, attempts: 1 })
      expect(server.requests.map((r) => [r.connection, r.onConnection])).toEqual([
        [0, 0],
        [0, 1],
        [1, 0],
      ])
    } finally {
      transport.close()
    }
  })

  it('a reset before any answer on a new connection is not resent: it fails as a network error', async () => {
    const server = await serve(() => 'destroy')
    const transport = transportTo(server)
    try {
      const result = await sendOnce(transport)
      expect(result).toMatchObject({ ok: false, retryable: true })
      expect(result.ok === false && result.error).toMatch(/ECONNRESET|socket hang up/)
      expect(server.requests).toHaveLength(1)
    } finally {
      transport.close()
    }
  })

  it('uses at most two connections for any number of exports at once', async () => {
    const server = await serve(() => ({ pieces: ['HTTP/1.1 200 OK\r\n', 'content-length: 0\r\n\r\n'] }))
    const transport = transportTo(server)
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => sendOnce(transport)))
      expect(results.every((r) => r.ok)).toBe(true)
      expect(server.requests).toHaveLength(8)
      expect(server.peakConnections).toBe(2)
    } finally {
      transport.close()
    }
  })

  it('a request that timed out waiting for a connection is never sent; closing fails what is in flight', async () => {
    const server = await serve(() => 'hang')
    const transport = transportTo(server, { timeoutMs: 1500 })
    try {
      // Two connections at most, held for 1.5 s: the third waits, and its own deadline (300 ms)
      // passes long before either is free.
      const holding = [sendOnce(transport), sendOnce(transport)]
      const waiting = transport.send(Buffer.from('late'), { retry: false, deadline: Date.now() + 300 })
      expect(await waiting).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^timed out after \d+ ms$/),
      })
      for (const result of await Promise.all(holding)) {
        expect(result).toMatchObject({ ok: false, error: 'timed out after 1500 ms' })
      }
      await new Promise((r) => setTimeout(r, 100))
      expect(server.requests).toHaveLength(2)
    } finally {
      transport.close()
    }
    // Far beyond the test's own time limit: only closing can end this request in time.
    const slow = transportTo(server, { timeoutMs: 60_000 })
    const pending = sendOnce(slow)
    while (server.requests.length < 3) await new Promise((r) => setTimeout(r, 10))
    slow.close()
    expect(await pending).toMatchObject({ ok: false, error: 'client closed' })
  })

  it('leaves out a configured header that would break the request, with one warning naming it', async () => {
    const warn = vi.spyOn(log, 'warn').mockImplementation(() => {})
    const server = await serve(() => plainAnswer(200))
    const transport = transportTo(server, {
      headers: { 'x-good': 'yes', 'x-bad': 'a\r\nx-injected: 1', 'bad name': 'v', 'User-Agent': 'mine/1' },
    })
    try {
      expect(await sendOnce(transport)).toMatchObject({ ok: true })
      const headers = server.requests[0]?.headers ?? {}
      expect(headers['x-good']).toBe('yes')
      // A configured user agent replaces otelkit's.
      expect(headers['user-agent']).toBe('mine/1')
      expect(Object.keys(headers)).not.toContain('x-injected')
      expect(Object.keys(headers)).not.toContain('x-bad')
      const lines = warn.mock.calls.map((c) => String(c[0]))
      expect(lines).toHaveLength(2)
      expect(lines[0]).toContain('"x-bad"')
      expect(lines[1]).toContain('"bad name"')
      expect(lines.join('\n')).not.toContain('x-injected')
    } finally {
      transport.close()
    }
  })
})
