// The otelcol-otelkit binary (otel-collector/distribution): where it is, the components it was
// built with (`components`), and its own config check (`validate`), run with a chosen environment.
import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { type ComponentList, KINDS } from './collector.ts'

export const BUILD_SCRIPT = fileURLToPath(
  new URL('../../../otel-collector/distribution/build.sh', import.meta.url),
)

/** Long enough for a first build from an empty module cache on a busy 2-core machine. */
export const BUILD_TIMEOUT_MS = 30 * 60_000

/**
 * Environment of a native run on one machine: every listener on 127.0.0.1, the gateway on its
 * own ports beside the agent, Jaeger's OTLP on 4327. The configs' header tables document it.
 */
export const NATIVE_ENV: Readonly<Record<string, string>> = {
  OTELKIT_COLLECTOR_LISTEN_HOST: '127.0.0.1',
  OTELKIT_TRACES_ENDPOINT: '127.0.0.1:4417',
  OTELKIT_JAEGER_OTLP_ENDPOINT: '127.0.0.1:4327',
  OTELKIT_PROMETHEUS_ADDRESS: '127.0.0.1:9090',
  OTELKIT_GATEWAY_LISTEN_HOST: '127.0.0.1',
  OTELKIT_GATEWAY_OTLP_GRPC_PORT: '4417',
  OTELKIT_GATEWAY_OTLP_HTTP_PORT: '4418',
  OTELKIT_GATEWAY_HEALTH_PORT: '13134',
  OTELKIT_GATEWAY_METRICS_PORT: '8887',
  OTELKIT_GATEWAY_POOL_HOSTNAME: 'localhost',
}

/** $OTELKIT_OTELCOL_BIN, else the path build.sh prints (it builds once, then reuses the binary). */
export function otelcolBinary(): string {
  const fromEnv = process.env.OTELKIT_OTELCOL_BIN
  if (fromEnv) return fromEnv
  const out = execFileSync('bash', [BUILD_SCRIPT], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: BUILD_TIMEOUT_MS,
  })
  const bin = out.trim().split('\n').at(-1)
  if (!bin) throw new Error(`${BUILD_SCRIPT} printed no binary path`)
  return bin
}

interface ComponentsOutput {
  buildinfo: { command: string; version: string }
  providers?: Array<{ scheme: string; module: string }>
  [kind: string]: unknown
}

/** The binary's component list (`otelcol-otelkit components`), with each component's module. */
export function readComponents(bin: string): ComponentList & { modules: string[] } {
  const out = parse(execFileSync(bin, ['components'], { encoding: 'utf8' })) as ComponentsOutput
  const list = { version: out.buildinfo.version, command: out.buildinfo.command, modules: [] as string[] }
  const kinds = Object.fromEntries(
    KINDS.map((kind) => {
      const entries = (out[kind] ?? []) as Array<{ name: string; module: string }>
      list.modules.push(...entries.map((e) => e.module))
      return [kind, entries.map((e) => e.name)]
    }),
  )
  list.modules.push(...(out.providers ?? []).map((p) => p.module))
  return { ...list, ...kinds } as ComponentList & { modules: string[] }
}

/**
 * `otelcol-otelkit validate --config=<file>` with only PATH and `env` set (so an unset variable
 * takes the config's default). Returns the collector's output; empty when the config is valid.
 */
export function validateWithBinary(bin: string, file: string, env: Record<string, string> = {}): string {
  const r = spawnSync(bin, ['validate', `--config=${file}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  })
  return r.status === 0 ? '' : `exit ${r.status}: ${r.stderr}${r.stdout}`.trim()
}
