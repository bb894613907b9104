/**
 * Test harness for a real Alertmanager: starts it on a free loopback port with a given
 * configuration (an object or YAML text) in a temporary directory, waits until it is ready, and
 * stops it by PID. Also a webhook receiver that records every notification it is sent.
 *
 * ```ts
 * const hook = await startWebhookReceiver()
 * const am = await startAlertmanager({ bin, config: overlayReceivers(shipped, hook.url) })
 * await hook.waitFor((n) => n.some((x) => x.status === 'firing'))
 * ```
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { stringify } from 'yaml'
import { startDaemon } from './daemon.ts'
import { freePort } from './prometheus.ts'

/** Options of {@link startAlertmanager}. */
export interface AlertmanagerOptions {
  /** Binary to run (e.g. the built alertmanager of the stack). */
  bin: string
  /** alertmanager.yml content: YAML text or an object serialised to YAML. */
  config: string | Record<string, unknown>
  /** How long to wait for /-/ready. @default 30000 */
  readyTimeoutMs?: number
}

/** A running Alertmanager. */
export interface AlertmanagerServer {
  url: string
  port: number
  pid: number
  stop(): Promise<void>
}

export async function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerServer> {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-am-'))
  const configFile = join(dir, 'alertmanager.yml')
  writeFileSync(configFile, typeof opts.config === 'string' ? opts.config : stringify(opts.config))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const { pid, stop } = await startDaemon({
    name: 'alertmanager',
    bin: opts.bin,
    args: [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    dir,
    readyUrl: `${url}/-/ready`,
    readyTimeoutMs: opts.readyTimeoutMs,
  })
  return { url, port, pid, stop }
}

/** One webhook notification (Alertmanager's webhook payload, the fields tests read). */
export interface Notification {
  /** Request path: which receiver sent it (e.g. `/page`). */
  path: string
  receivedAt: number
  status: 'firing' | 'resolved'
  receiver: string
  alerts: Array<{
    status: 'firing' | 'resolved'
    labels: Record<string, string>
    annotations: Record<string, string>
  }>
}

/** A webhook receiver on a free loopback port. */
export interface WebhookReceiver {
  url: string
  notifications: Notification[]
  /** Resolves with the notifications once `predicate` holds (polls; rejects after `timeoutMs`). */
  waitFor(predicate: (n: Notification[]) => boolean, timeoutMs: number): Promise<Notification[]>
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: Notification[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        notifications.push({ path: req.url ?? '', receivedAt: Date.now(), ...body })
      } catch {
        // not a notification: ignored
      }
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    notifications,
    async waitFor(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs
      while (!predicate(notifications)) {
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms; notifications: ${JSON.stringify(
              notifications.map((n) => ({
                path: n.path,
                status: n.status,
                alerts: n.alerts.map((a) => a.labels.alertname),
              })),
            )}`,
          )
        }
        await sleep(200)
      }
      return notifications
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
