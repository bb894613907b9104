/**
 * Paths of the stack programs built by `bash scripts/stack.sh build` (Prometheus, promtool,
 * Alertmanager, amtool, Jaeger, the collector), at exactly the versions compose.yaml pins.
 * Builds what is missing on first use (cached outside the repository), once per test process.
 * `<NAME>_BIN` (e.g. PROMETHEUS_BIN, ALERTMANAGER_BIN) overrides one program.
 */
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
let built: Map<string, string> | undefined

/** Every built program: name (as `stack.sh build` prints it) -> absolute path. */
export function stackBinaries(): Map<string, string> {
  if (built) return built
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'stack.sh'), 'build'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 3_600_000,
  })
  built = new Map()
  for (const line of out.split('\n')) {
    const [name, path] = line.trim().split(/\s+/)
    if (name && path) built.set(name, path)
  }
  return built
}

/** One program's path: `prometheus`, `promtool`, `alertmanager`, `amtool`, `jaeger`, `otelcol-otelkit`. */
export function stackBinary(name: string): string {
  const override = process.env[`${name.toUpperCase().replace(/-/g, '_')}_BIN`]
  if (override) return override
  const path = stackBinaries().get(name)
  if (!path)
    throw new Error(
      `scripts/stack.sh build printed no "${name}" (got: ${[...stackBinaries().keys()].join(', ')})`,
    )
  return path
}
