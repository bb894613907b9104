/**
 * Writes response bodies with back-pressure: slices of shared buffers (never copied), the next
 * slice only once the socket has drained. A client that stops reading holds at most one slice in
 * Node's buffers, and is disconnected after `stallTimeoutMs` without progress.
 *
 * Slices are handed to sockets by one scheduler, at most `TURN_BUDGET_BYTES` per turn of the
 * event loop across every response: a kernel socket buffer takes megabytes before it pushes back,
 * and filling a hundred of them in one go would stall the service's own requests for the time of
 * the copies.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** Options of `sendBuffer`. */
export interface SendBufferOptions {
  /** Bytes handed to the socket per write. @default 65536 */
  chunkBytes?: number
  /** A response whose socket does not drain for this long is destroyed, in ms. @default 15000 */
  stallTimeoutMs?: number
}

export const SEND_DEFAULTS = { chunkBytes: 65_536, stallTimeoutMs: 15_000 } as const

/** Bytes written to sockets per turn of the event loop, over all responses. */
const TURN_BUDGET_BYTES = 512 * 1024

/** One response being written. */
interface Writer {
  /** Writes one slice and returns its bytes; `more` then tells whether to queue it again. */
  step(): number
  more: boolean
}

const queue: Writer[] = []
let scheduled = false

function enqueue(writer: Writer): void {
  queue.push(writer)
  if (!scheduled) {
    scheduled = true
    setImmediate(runTurn)
  }
}

function runTurn(): void {
  scheduled = false
  let budget = TURN_BUDGET_BYTES
  // Round robin: a writer with more to write goes back to the end of the queue.
  let n = queue.length
  while (n-- > 0 && budget > 0) {
    const writer = queue.shift() as Writer
    budget -= writer.step()
    if (writer.more) {
      queue.push(writer)
      n++
    }
  }
  if (queue.length > 0 && !scheduled) {
    scheduled = true
    setImmediate(runTurn)
  }
}

/**
 * Sends `body` (one buffer, or chunks sent in order) with a Content-Length; resolves when it is
 * handed to the OS or the client is gone.
 */
export function sendBuffer(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: Buffer | readonly Buffer[],
  options: SendBufferOptions = {},
): Promise<void> {
  const chunks = Buffer.isBuffer(body) ? [body] : body
  let length = 0
  for (const chunk of chunks) length += chunk.length
  const chunkBytes = options.chunkBytes ?? SEND_DEFAULTS.chunkBytes
  const stallTimeoutMs = options.stallTimeoutMs ?? SEND_DEFAULTS.stallTimeoutMs
  if (res.destroyed) return Promise.resolve()
  res.writeHead(status, { ...headers, 'content-length': length })
  return new Promise<void>((resolve) => {
    let index = 0
    let offset = 0
    let timer: NodeJS.Timeout | undefined
    let done = false
    let ended = false
    const clearTimer = () => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
    }
    const arm = () => {
      clearTimer()
      timer = setTimeout(() => res.destroy(), stallTimeoutMs)
      timer.unref()
    }
    const finish = () => {
      done = true
      clearTimer()
      res.off('drain', onDrain)
      res.off('close', finish)
      res.off('finish', finish)
      resolve()
    }
    const writer: Writer = {
      more: true,
      step() {
        writer.more = false
        if (done || ended) return 0
        if (res.destroyed) {
          finish()
          return 0
        }
        if (index >= chunks.length) {
          // Resolved on 'finish' (all handed to the OS): until then a slice refers to `body`.
          ended = true
          res.end()
          if (!res.writableFinished) arm()
          return 0
        }
        const chunk = chunks[index] as Buffer
        const end = Math.min(offset + chunkBytes, chunk.length)
        const slice = offset === 0 && end === chunk.length ? chunk : chunk.subarray(offset, end)
        offset = end
        if (offset >= chunk.length) {
          index++
          offset = 0
        }
        if (res.write(slice)) writer.more = true
        else arm() // queued again on 'drain'
        return slice.length
      },
    }
    function onDrain(): void {
      clearTimer()
      if (!done && !ended) enqueue(writer)
    }
    res.on('drain', onDrain)
    res.once('close', finish)
    res.once('finish', finish)
    enqueue(writer)
  })
}
