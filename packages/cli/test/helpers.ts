/**
 * Test helpers: build the CLI when its sources are newer than dist, run the built binary as a
 * child process, and a real node:http server on port 0 that counts what it receives.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_DIR = join(PACKAGE_DIR, '..', '..')
export const BIN = join(PACKAGE_DIR, 'dist', 'bin.js')
export const REPORTS_DIR = join(REPO_DIR, '.reports', 'cli')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Builds dist/ with tsc when it is missing or older than src/. */
export function ensureBuilt(): void {
  let built = 0
  try {
    built = statSync(BIN).mtimeMs
  } catch {}
  if (built >= newestMtime(join(PACKAGE_DIR, 'src'))) return
  execFileSync(
    process.execPath,
    [join(REPO_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: PACKAGE_DIR,
      stdio: 'inherit',
    },
  )
}

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `otelkit <args>` with the same Node as the tests, CI=true (no progress line). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, CI: 'true', OTELKIT_DEBUG_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

export interface CountingServer {
  url: string
  count: number
  requests: Array<{ method: string; url: string; body: string }>
  close(): Promise<void>
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

const defaultHandler: Handler = (req, res) => {
  if (req.url?.startsWith('/fail')) res.writeHead(500).end('failed')
  else res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${req.url}`)
}

export async function startCountingServer(handler: Handler = defaultHandler): Promise<CountingServer> {
  const state: CountingServer = { url: '', count: 0, requests: [], close: async () => {} }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      state.count++
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', body })
      handler(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  state.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'otelkit-cli-'))
}
