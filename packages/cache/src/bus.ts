/**
 * Coherence bus: Redis pub/sub messages that tell other instances which keys changed, so each
 * drops or soft-expires them in its L1. Messages carry keys (or a prefix, or a namespace version),
 * never values. An instance ignores its own messages.
 */
import { randomUUID } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import type { RateLimitedLog } from './logger.js'

/** d: delete keys, s: soft-expire keys, p: delete every key under a prefix, v: namespace version changed. */
export type BusPayload =
  | { t: 'd' | 's'; k: string[] }
  | { t: 'p'; p: string }
  | { t: 'v'; n: string; v: number }
export type BusMessage = BusPayload & { i: string }

export class Bus {
  readonly id = randomUUID()
  private readonly subscriber: Redis | Cluster
  private readonly subscribed: Promise<unknown>

  constructor(
    source: Redis | Cluster,
    private readonly send: (channel: string, payload: string) => Promise<unknown>,
    private readonly channel: string,
    onMessage: (message: BusMessage) => void,
    private readonly log: RateLimitedLog,
  ) {
    const cluster = (source as Cluster).isCluster === true
    // Standalone: ioredis' own resubscription after a reconnect leaves its promise without a
    // handler, so a close while it waits for the reply was an unhandled rejection ("Connection is
    // closed."), which ends a Node process by default. The bus resubscribes itself instead.
    this.subscriber = cluster
      ? (source as Cluster).duplicate()
      : (source as Redis).duplicate({
          commandTimeout: undefined,
          maxRetriesPerRequest: null,
          autoResubscribe: false,
        })
    this.subscriber.on('error', (error: Error) =>
      log.warn('bus', `cache bus: Redis pub/sub error: ${error.message}`),
    )
    this.subscriber.on('message', (ch: string, raw: string) => {
      if (ch !== this.channel) return
      let message: BusMessage
      try {
        message = JSON.parse(raw)
      } catch {
        return
      }
      if (message.i !== this.id) onMessage(message)
    })
    const subscribe = () =>
      this.subscriber.subscribe(channel).catch((error: Error) => {
        log.warn('bus', `cache bus: subscribe failed: ${error.message}`)
      })
    this.subscribed = subscribe()
    if (!cluster) {
      // The first 'ready' sends the subscription queued above; each later one follows a reconnect.
      let connected = false
      this.subscriber.on('ready', () => {
        if (connected) void subscribe()
        connected = true
      })
    }
  }

  ready(): Promise<unknown> {
    return this.subscribed
  }

  /** Publishes through the fail-open command path (skipped while Redis is unusable); never throws. */
  publish(message: BusPayload): Promise<void> {
    const payload = JSON.stringify({ ...message, i: this.id })
    return this.send(this.channel, payload).then(
      () => undefined,
      (error: Error) => this.log.warn('bus-publish', `cache bus: publish failed: ${error.message}`),
    )
  }

  close(): void {
    this.subscriber.disconnect()
  }
}
