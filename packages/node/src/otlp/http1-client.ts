/**
 * The OTLP/HTTP transport's HTTP/1.1 client: POSTs a body on a kept-alive net or TLS socket and
 * reads one response (status line, the few headers the transport reads, a body framed by
 * Content-Length, chunked encoding or the connection's end). It replaces node:http's client on
 * the application's thread: every export through `ClientRequest` and a client `IncomingMessage`
 * made Node's shared HTTP and stream functions (the constructors of the application's own
 * requests and responses among them) see objects the application never makes, and their property
 * loads stayed megamorphic for every request it serves. On a plain socket, what pg and ioredis
 * already write to, an Express request with every span exported runs 4.3k fewer instructions
 * (BENCHMARKS.md, "The export on a plain socket").
 * At most `maxSockets` connections; a request on a kept socket that the server had closed is sent
 * once more on a new one.
 */
import net from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { latin1Slice } from '../buffer-slice.js'

/** The response headers the transport reads (lower-case names, first value). */
export interface Http1Headers {
  'retry-after'?: string
  'content-type'?: string
  'keep-alive'?: string
}

/** One response: its status, the headers above and at most `maxBodyBytes` of its body. */
export interface Http1Response {
  status: number
  headers: Http1Headers
  body: Buffer
}

/** Options of an Http1Client. */
export interface Http1ClientOptions {
  /** Connections open at once, at most. @default 2 */
  maxSockets?: number
  /** TLS options of an https:// URL (CA, client key and certificate). */
  tls?: ConnectionOptions
  /** Body bytes kept per response; the rest is read and dropped. */
  maxBodyBytes: number
}

/** A failed request: `code` is the socket error's code when there is one. */
export class Http1RequestError extends Error {
  readonly code: string | undefined
  constructor(message: string, code?: string) {
    super(message)
    this.name = 'Http1RequestError'
    this.code = code
  }
}

/**
 * A server announcing an idle timeout of at most this many seconds may close the socket before the
 * next export: it is not kept (Node's agent has the same rule).
 */
const SHORTEST_REUSABLE_HINT_S = 1
/** Longest response head read (status line and headers). */
const MAX_HEAD_BYTES = 64 * 1024
const CRLF_CRLF = Buffer.from('\r\n\r\n')
const CRLF = Buffer.from('\r\n')

/** Where a ResponseReader is in the response. */
const Stage = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkEnd: 4,
  Trailers: 5,
  UntilClose: 6,
  Done: 7,
} as const
type Stage = (typeof Stage)[keyof typeof Stage]

/** Reads one response from the bytes a connection receives, in whatever pieces they come. */
class ResponseReader {
  stage: Stage = Stage.Head
  status = 0
  headers: Http1Headers = {}
  /** Whether the connection may carry another request after this response. */
  reusable = true
  private pending: Buffer = Buffer.alloc(0)
  private left = 0
  private readonly body: Buffer[] = []
  private bodyBytes = 0
  private readonly maxBodyBytes: number

  constructor(maxBodyBytes: number) {
    this.maxBodyBytes = maxBodyBytes
  }

  /** Takes received bytes; returns an error message when the response is malformed. */
  push(chunk: Buffer): string | undefined {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    this.pending = Buffer.alloc(0)
    while (data.length > 0 && this.stage !== Stage.Done) {
      switch (this.stage) {
        case Stage.Head: {
          const end = data.indexOf(CRLF_CRLF)
          if (end < 0) {
            if (data.length > MAX_HEAD_BYTES) return 'response head too long'
            this.pending = data
            return undefined
          }
          const error = this.head(latin1Slice(data, 0, end))
          if (error !== undefined) return error
          data = data.subarray(end + 4)
          break
        }
        case Stage.Length:
        case Stage.ChunkData: {
          const n = Math.min(this.left, data.length)
          this.keep(data.subarray(0, n))
          this.left -= n
          data = data.subarray(n)
          if (this.left === 0) this.stage = this.stage === Stage.Length ? Stage.Done : Stage.ChunkEnd
          break
        }
        case Stage.UntilClose:
          this.keep(data)
          data = data.subarray(data.length)
          break
        case Stage.ChunkSize:
        case Stage.ChunkEnd:
        case Stage.Trailers: {
          const end = data.indexOf(CRLF)
          if (end < 0) {
            if (data.length > MAX_HEAD_BYTES) return 'chunk line too long'
            this.pending = data
            return undefined
          }
          const line = latin1Slice(data, 0, end)
          data = data.subarray(end + 2)
          if (this.stage === Stage.ChunkEnd) {
            if (line !== '') return 'malformed chunked body'
            this.stage = Stage.ChunkSize
          } else if (this.stage === Stage.Trailers) {
            if (line === '') this.stage = Stage.Done
          } else {
            const size = Number.parseInt(line, 16)
            if (!/^[0-9a-fA-F]+/.test(line) || !Number.isSafeInteger(size)) return 'malformed chunk size'
            this.left = size
            this.stage = size === 0 ? Stage.Trailers : Stage.ChunkData
          }
          break
        }
      }
    }
    // Bytes after the response: the server sent what was not asked for; the socket is not reused.
    if (data.length > 0) this.reusable = false
    return undefined
  }

  /** The connection ended: completes a body read until the end; whether the response is whole. */
  end(): boolean {
    if (this.stage === Stage.UntilClose) this.stage = Stage.Done
    return this.stage === Stage.Done
  }

  response(): Http1Response {
    return { status: this.status, headers: this.headers, body: Buffer.concat(this.body) }
  }

  private keep(bytes: Buffer): void {
    if (this.bodyBytes >= this.maxBodyBytes) return
    const kept = bytes.subarray(0, this.maxBodyBytes - this.bodyBytes)
    this.body.push(kept)
    this.bodyBytes += kept.length
  }

  /** Parses a head; an interim (1xx) response is skipped. Returns an error message, if any. */
  private head(text: string): string | undefined {
    const lines = text.split('\r\n')
    const status = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '')
    if (status === null) return 'malformed status line'
    const code = Number(status[2])
    if (code >= 100 && code < 200) return undefined // interim: the final head follows
    this.status = code
    let length: number | undefined
    let chunked = false
    let keepAlive = status[1] === '1'
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string
      const colon = line.indexOf(':')
      if (colon <= 0) return 'malformed header line'
      const name = line.slice(0, colon).trim().toLowerCase()
      const value = line.slice(colon + 1).trim()
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) {
          return 'malformed content-length'
        }
        length = Number(value)
      } else if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked\s*$/i.test(value)
      else if (name === 'connection') {
        if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) keepAlive = false
        else if (/(?:^|,)\s*keep-alive\s*(?:,|$)/i.test(value)) keepAlive = true
      } else if (name === 'retry-after' || name === 'content-type' || name === 'keep-alive') {
        this.headers[name] ??= value
      }
    }
    const hint = /^timeout=(\d+)/.exec(this.headers['keep-alive'] ?? '')?.[1]
    if (hint !== undefined && Number(hint) <= SHORTEST_REUSABLE_HINT_S) keepAlive = false
    this.reusable = keepAlive
    if (code === 204 || code === 304) this.stage = Stage.Done
    else if (chunked) this.stage = Stage.ChunkSize
    else if (length !== undefined) {
      this.left = length
      this.stage = length === 0 ? Stage.Done : Stage.Length
    } else {
      this.stage = Stage.UntilClose
      this.reusable = false
    }
    return undefined
  }
}

/** One socket to the server and the request it carries, if any. */
class Connection {
  readonly socket: net.Socket
  /** Requests this socket has carried to the end. */
  served = 0
  closed = false
  /** Whether bytes of the current response have arrived (a failure before that may be a stale socket). */
  answered = false
  private reader: ResponseReader | undefined
  private settle: ((error: Http1RequestError | undefined, response?: Http1Response) => void) | undefined
  private readonly onIdleClose: (connection: Connection) => void

  constructor(socket: net.Socket, onIdleClose: (connection: Connection) => void) {
    this.socket = socket
    this.onIdleClose = onIdleClose
    // No TCP keep-alive: setting it before the connection adds two properties pg's socket does not
    // have, and one socket shape more made the application's socket functions megamorphic. A kept
    // connection that died while idle is found at its next use and the request resent.
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.data(chunk))
    socket.on('end', () => this.ended())
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error.message, error.code))
    socket.on('close', () => this.ended())
  }

  /** Sends `head` and `body`; `done` is called once, with the response or an error. */
  request(
    head: string,
    body: Buffer,
    maxBodyBytes: number,
    done: (error: Http1RequestError | undefined, response?: Http1Response) => void,
  ): void {
    this.reader = new ResponseReader(maxBodyBytes)
    this.answered = false
    this.settle = done
    this.socket.ref()
    this.socket.cork()
    this.socket.write(head, 'latin1')
    if (body.length > 0) this.socket.write(body)
    this.socket.uncork()
  }

  destroy(error?: string): void {
    this.closed = true
    if (error !== undefined) this.fail(error)
    this.socket.destroy()
  }

  private data(chunk: Buffer): void {
    const reader = this.reader
    if (reader === undefined) {
      // Nothing was asked: a server that talks out of turn gets its socket closed.
      this.destroy()
      return
    }
    this.answered = true
    const error = reader.push(chunk)
    if (error !== undefined) {
      this.destroy(error)
      return
    }
    if (reader.stage === Stage.Done) this.complete(reader)
  }

  private ended(): void {
    const wasClosed = this.closed
    this.closed = true
    const reader = this.reader
    if (reader?.end()) {
      reader.reusable = false
      this.complete(reader)
    } else if (reader !== undefined) this.fail('socket hang up', 'ECONNRESET')
    else if (!wasClosed) this.onIdleClose(this)
    this.socket.destroy()
  }

  private complete(reader: ResponseReader): void {
    const settle = this.settle
    this.reader = undefined
    this.settle = undefined
    this.served++
    if (!reader.reusable) this.destroy()
    else this.socket.unref()
    settle?.(undefined, reader.response())
  }

  private fail(message: string, code?: string): void {
    const settle = this.settle
    this.reader = undefined
    this.settle = undefined
    this.closed = true
    this.socket.destroy()
    settle?.(new Http1RequestError(message, code))
  }
}

/** A request waiting for a connection. */
interface Waiting {
  start: (connection: Connection) => void
  fail: (error: Http1RequestError) => void
}

export class Http1Client {
  private readonly url: URL
  private readonly maxSockets: number
  private readonly tls: ConnectionOptions | undefined
  private readonly maxBodyBytes: number
  private readonly idle: Connection[] = []
  private readonly waiting: Waiting[] = []
  /** Connections carrying a request now. */
  private readonly active = new Set<Connection>()
  private open = 0
  private closed = false

  constructor(url: URL, options: Http1ClientOptions) {
    this.url = url
    this.maxSockets = options.maxSockets ?? 2
    this.tls = url.protocol === 'https:' ? (options.tls ?? {}) : undefined
    this.maxBodyBytes = options.maxBodyBytes
  }

  /**
   * Sends `head` (request line and headers, ending in an empty line) and `body`; resolves with the
   * response, rejects with an Http1RequestError after `timeoutMs` or on a connection failure.
   */
  request(head: string, body: Buffer, timeoutMs: number): Promise<Http1Response> {
    return new Promise<Http1Response>((resolve, reject) => {
      let connection: Connection | undefined
      let finished = false
      const timer = setTimeout(() => {
        finish(new Http1RequestError(`timed out after ${timeoutMs} ms`))
        connection?.destroy()
      }, timeoutMs)
      const finish = (error: Http1RequestError | undefined, response?: Http1Response) => {
        if (finished) return
        finished = true
        clearTimeout(timer)
        if (error === undefined) resolve(response as Http1Response)
        else reject(error)
      }
      const start = (conn: Connection, retried: boolean) => {
        // Timed out while it waited for a connection: not sent late (the caller has moved on).
        if (finished) {
          this.released(conn)
          return
        }
        connection = conn
        this.active.add(conn)
        conn.request(head, body, this.maxBodyBytes, (error, response) => {
          // A kept socket the server had already closed fails before any answer: once more, anew.
          const stale = error !== undefined && !retried && conn.served > 0 && !conn.answered
          this.active.delete(conn)
          this.released(conn)
          if (finished) return
          if (stale) this.acquire((fresh) => start(fresh, true), true, finish)
          else finish(error, response)
        })
      }
      if (this.closed) finish(new Http1RequestError('client closed'))
      else this.acquire((conn) => start(conn, false), false, finish)
    })
  }

  /** Closes every connection; requests in flight or waiting for a connection fail. */
  close(): void {
    this.closed = true
    for (const connection of this.idle.splice(0)) connection.destroy()
    for (const connection of this.active) connection.destroy('client closed')
    for (const waiting of this.waiting.splice(0)) waiting.fail(new Http1RequestError('client closed'))
  }

  /** Calls `start` with an idle connection, a new one, or the first one released. */
  private acquire(
    start: (connection: Connection) => void,
    fresh: boolean,
    fail: (error: Http1RequestError) => void,
  ): void {
    if (!fresh) {
      while (this.idle.length > 0) {
        const connection = this.idle.pop() as Connection
        if (!connection.closed) {
          start(connection)
          return
        }
        this.open--
      }
    }
    if (this.open < this.maxSockets || fresh) {
      this.open++
      start(this.connect())
      return
    }
    this.waiting.push({ start, fail })
  }

  /** Back from a request: to the next waiting request, the idle list, or closed. */
  private released(connection: Connection): void {
    if (connection.closed || this.closed) {
      connection.destroy()
      this.open--
      if (!this.closed) this.startWaiting()
      return
    }
    const next = this.waiting.shift()
    if (next !== undefined) next.start(connection)
    else this.idle.push(connection)
  }

  /** After a connection closed: the first waiting request gets a new one. */
  private startWaiting(): void {
    const next = this.waiting.shift()
    if (next === undefined) return
    this.open++
    next.start(this.connect())
  }

  private connect(): Connection {
    const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1')
    const port = Number(this.url.port) || (this.tls ? 443 : 80)
    let socket: net.Socket
    if (this.tls !== undefined) {
      const tls = process.getBuiltinModule('node:tls')
      const servername = net.isIP(host) === 0 ? host : undefined
      socket = tls.connect({ ...this.tls, host, port, servername })
    } else socket = net.connect({ host, port })
    return new Connection(socket, (connection) => {
      const at = this.idle.indexOf(connection)
      if (at >= 0) {
        this.idle.splice(at, 1)
        this.open--
      }
    })
  }
}
