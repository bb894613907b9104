/**
 * Clients that misbehave on purpose, over real sockets: requests whose answers are never read,
 * pipelined floods, headers that never finish. Each returns handles to watch the server's
 * reaction (sockets closed) and to clean up.
 */
import { connect, type Socket } from 'node:net'

export interface HostileClients {
  sockets: Socket[]
  /** Sockets the server has closed so far (a client that does not read never sees it). */
  closed(): number
  /** Resolves once `n` sockets are closed, or rejects after `timeoutMs`. */
  waitClosed(n: number, timeoutMs: number): Promise<void>
  destroy(): void
}

/** Watches sockets from the moment each is added (a server may close one before the next opens). */
function tracker(): HostileClients & { add(socket: Socket): void } {
  const sockets: Socket[] = []
  let closed = 0
  const waiters = new Set<() => void>()
  return {
    sockets,
    add(socket) {
      sockets.push(socket)
      socket.on('error', () => {})
      socket.once('close', () => {
        closed++
        for (const w of waiters) w()
      })
    },
    closed: () => closed,
    waitClosed: (n, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (closed >= n) return resolve()
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(
            new Error(`${closed} of ${sockets.length} sockets closed after ${timeoutMs} ms, wanted ${n}`),
          )
        }, timeoutMs)
        function check() {
          if (closed < n) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve()
        }
        waiters.add(check)
      }),
    destroy: () => {
      for (const socket of sockets) socket.destroy()
    },
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket))
    socket.once('error', reject)
  })
}

/** A raw GET request, with extra header lines. */
export function rawGet(path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`)
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.join('')}\r\n`
}

/**
 * Opens `count` connections that each send `payload` (one request, or many pipelined) and then
 * never read: the socket is paused, so the kernel's buffers fill and the server's writes stall.
 */
export async function silentClients(port: number, count: number, payload: string): Promise<HostileClients> {
  const clients = tracker()
  const sockets: Socket[] = []
  for (let i = 0; i < count; i++) {
    const socket = await open(port).catch(() => undefined)
    if (socket === undefined) continue
    clients.add(socket)
    socket.pause()
    sockets.push(socket)
  }
  // Every request sent at once, after every connection is open: they arrive together, however
  // slowly a loaded machine opens connections.
  for (const socket of sockets) socket.write(payload)
  return clients
}

/** Opens `count` connections that send the first line of a request and stop there. */
export async function unfinishedHeaders(port: number, count: number): Promise<HostileClients> {
  const clients = tracker()
  for (let i = 0; i < count; i++) {
    const socket = await open(port)
    clients.add(socket)
    socket.resume() // reads (and drops) what the server answers, so its close is seen
    socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  }
  return clients
}
