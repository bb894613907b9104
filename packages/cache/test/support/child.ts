/** Runs a fixture script (test/fixtures/*.mjs, which import the built dist/) as a child process speaking JSON lines. */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const PACKAGE_DIR = join(here, '..', '..')

export class Child {
  private readonly lines: string[] = []
  private waiters: Array<() => void> = []
  readonly process: ChildProcess

  constructor(fixture: string, env: Record<string, string>) {
    if (!existsSync(join(PACKAGE_DIR, 'dist', 'index.js'))) {
      throw new Error(
        'packages/cache/dist is missing: run `pnpm --filter @otelkit/cache build` (pnpm test does)',
      )
    }
    this.process = spawn(process.execPath, [join(PACKAGE_DIR, 'test', 'fixtures', fixture)], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      this.lines.push(line)
      for (const w of this.waiters.splice(0)) w()
    })
  }

  send(message: unknown): void {
    this.process.stdin!.write(`${JSON.stringify(message)}\n`)
  }

  /** Waits for the next JSON line whose `type` is `type`. */
  async next<T = Record<string, unknown>>(type: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.lines.findIndex((l) => {
        try {
          return JSON.parse(l).type === type
        } catch {
          return false
        }
      })
      if (i >= 0) return JSON.parse(this.lines.splice(i, 1)[0]!) as T
      if (Date.now() > deadline) throw new Error(`child did not send ${type}; got ${this.lines.join('\n')}`)
      if (this.process.exitCode !== null) throw new Error(`child exited with ${this.process.exitCode}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  kill(): Promise<void> {
    if (this.process.exitCode !== null) return Promise.resolve()
    return new Promise((resolve) => {
      this.process.once('exit', () => resolve())
      this.process.kill('SIGKILL')
    })
  }
}
