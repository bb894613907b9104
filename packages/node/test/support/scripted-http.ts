/**
 * A TCP server that reads HTTP/1.1 requests (head and Content-Length body) and answers each with
 * the raw bytes a script gives: responses split in pieces, chunked, without a length, malformed,
 * or no answer at all. For the edges of an HTTP client that a well-behaved server never shows.
 */

import type { AddressInfo } from 'node:net'
import { createServer, type Server, type Socket } from 'node:net'

/** One request as the server read it. */
export interface ScriptedRequest {
  /** Request number across all connections, from 0. */
  n: number
  /** Connection number, from 0. */
  connection: number
  /** Request number on its connection, from 0. */
  onConnection: number
  /** The head: request line and headers, as sent. */
  head: string
  headers: Record<string, string>
  body: Buffer
}

/**
 * What to do with a request: bytes (or pieces of bytes, written 5 ms apart) to answer with, then
 * optionally close; `'hang'` answers nothing; `'destroy'` resets the connection at once.
 */
export type ScriptedAnswer = { pieces: Array<string | Buffer>; close?: boolean } | 'hang' | 'destroy'

export interface ScriptedHttpServer {
  url: string
  requests: ScriptedRequest[]
  /** Connections open now. */
  openConnections(): number
  /** Most connections open at once so far. */
  peakConnections: number
  close(): Promise<void>
}

/** An answer of `status` with a Content-Length body (keep-alive unless `close`). */
export function plainAnswer(status: number, body = '', close = false): ScriptedAnswer {
  return {
    pieces: [`HTTP/1.1 ${status} X\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`],
    close,
  }
}

export function startScriptedHttpServer(
  answer: (request: ScriptedRequest) => ScriptedAnswer,
): Promise<ScriptedHttpServer> {
  const requests: ScriptedRequest[] = []
  const sockets = new Set<Socket>()
  let connections = 0
  const state = { peak: 0 }
  const server: Server = createServer((socket) => {
    const connection = connections++
    sockets.add(socket)
    state.peak = Math.max(state.peak, sockets.size)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let pending = Buffer.alloc(0)
    let onConnection = 0
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      for (;;) {
        const end = pending.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = pending.toString('latin1', 0, end)
        const headers: Record<string, string> = {}
        for (const line of head.split('\r\n').slice(1)) {
          const colon = line.indexOf(':')
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
        }
        const length = Number(headers['content-length'] ?? 0)
        if (pending.length < end + 4 + length) return
        const body = pending.subarray(end + 4, end + 4 + length)
        pending = pending.subarray(end + 4 + length)
        const request = { n: requests.length, connection, onConnection: onConnection++, head, headers, body }
        requests.push(request)
        void play(socket, answer(request))
      }
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        openConnections: () => sockets.size,
        get peakConnections() {
          return state.peak
        },
        close: () =>
          new Promise<void>((r) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => r())
          }),
      })
    })
  })
}

async function play(socket: Socket, answer: ScriptedAnswer): Promise<void> {
  if (answer === 'hang') return
  if (answer === 'destroy') {
    socket.resetAndDestroy()
    return
  }
  for (const [i, piece] of answer.pieces.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, 5))
    if (socket.destroyed) return
    socket.write(piece)
  }
  if (answer.close) socket.end()
}
