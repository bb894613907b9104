/**
 * Starts a server program for a test and waits until a readiness URL answers 2xx; stops it by
 * PID (SIGTERM, then SIGKILL after 5 s) and removes its temporary directory. The shared part of
 * the Prometheus and Alertmanager harnesses.
 *
 * ```ts
 * const daemon = await startDaemon({ name: 'prometheus', bin, args, dir, readyUrl: `${url}/-/ready` })
 * await daemon.stop()
 * ```
 */
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  /** Name for error messages. */
  name: string
  bin: string
  args: string[]
  /** Temporary directory the program works in; removed by `stop`. */
  dir: string
  /** Environment of the program. @default process.env */
  env?: NodeJS.ProcessEnv
  /** GET that answers 2xx once the program is ready. */
  readyUrl: string
  /** How long to wait for `readyUrl`. @default 30000 */
  readyTimeoutMs?: number
}

/** A running program. */
export interface Daemon {
  pid: number
  stop(): Promise<void>
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const child = spawn(opts.bin, opts.args, {
    cwd: opts.dir,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) {
        child.kill('SIGKILL')
        await exited
      }
    }
    rmSync(opts.dir, { recursive: true, force: true })
  }
  const timeoutMs = opts.readyTimeoutMs ?? 30_000
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`${opts.name} exited with ${child.exitCode}: ${stderr}`)
    }
    const ready = await fetch(opts.readyUrl).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`${opts.name} not ready after ${timeoutMs} ms: ${stderr}`)
    }
    await sleep(100)
  }
  return { pid: child.pid!, stop }
}
