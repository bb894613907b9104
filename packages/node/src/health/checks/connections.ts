/**
 * Book-keeping of the short-lived connections URL-based checks open: each is closed when its
 * run ends, when the run's signal aborts (timeout), and when the check is closed on shutdown.
 */

export interface Closable {
  close(): void
}

export class ConnectionSet {
  readonly #open = new Set<Closable>()

  /** Tracks `conn` for the duration of `use`, closing it afterwards and on abort. */
  async use<T>(signal: AbortSignal, conn: Closable, use: () => Promise<T>): Promise<T> {
    this.#open.add(conn)
    const onAbort = () => safeClose(conn)
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      if (signal.aborted) throw signal.reason
      return await use()
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.#open.delete(conn)
      safeClose(conn)
    }
  }

  closeAll(): void {
    for (const conn of this.#open) safeClose(conn)
    this.#open.clear()
  }
}

function safeClose(conn: Closable): void {
  try {
    conn.close()
  } catch {
    // already closed
  }
}
