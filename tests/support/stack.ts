/**
 * Runs the native stack (`bash scripts/stack.sh up`) for a test on free loopback ports, with its
 * own state folder, so it never meets a stack a developer left running on the default ports.
 * Gives the ports, a way to kill and restart one program, the collectors' own metrics, and
 * Jaeger's query API.
 *
 * ```ts
 * const stack = await startStack()
 * try { ... fetch(`${stack.agentHttpUrl}/v1/traces`) ... } finally { await stack.down() }
 * ```
 */
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePort } from './prometheus.ts'

const run = promisify(execFile)
const STACK_SH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'stack.sh')

/** Every port variable of scripts/stack.sh. */
export const PORT_VARS = [
  'OTELKIT_COLLECTOR_OTLP_GRPC_PORT',
  'OTELKIT_COLLECTOR_OTLP_HTTP_PORT',
  'OTELKIT_COLLECTOR_HEALTH_PORT',
  'OTELKIT_COLLECTOR_METRICS_PORT',
  'OTELKIT_COLLECTOR_SPANMETRICS_PORT',
  'OTELKIT_GATEWAY_OTLP_GRPC_PORT',
  'OTELKIT_GATEWAY_OTLP_HTTP_PORT',
  'OTELKIT_GATEWAY_SAMPLING_PORT',
  'OTELKIT_GATEWAY_HEALTH_PORT',
  'OTELKIT_GATEWAY_METRICS_PORT',
  'OTELKIT_JAEGER_UI_PORT',
  'OTELKIT_JAEGER_QUERY_GRPC_PORT',
  'OTELKIT_JAEGER_OTLP_GRPC_PORT',
  'OTELKIT_JAEGER_OTLP_HTTP_PORT',
  'OTELKIT_JAEGER_HEALTH_PORT',
  'OTELKIT_JAEGER_METRICS_PORT',
  'OTELKIT_PROMETHEUS_PORT',
  'OTELKIT_ALERTMANAGER_PORT',
  'OTELKIT_OPS_PORT',
] as const
export type PortVar = (typeof PORT_VARS)[number]

/** A program of the stack, as scripts/stack.sh names it. */
export type StackProgram = 'otel-collector' | 'otel-gateway' | 'jaeger' | 'prometheus' | 'alertmanager'

/** A running native stack. */
export interface Stack {
  ports: Record<PortVar, number>
  /** The environment stack.sh runs with (ports and state folder). */
  env: NodeJS.ProcessEnv
  /** OTLP/HTTP base URL of the agent, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  agentHttpUrl: string
  jaegerUrl: string
  prometheusUrl: string
  /** PID of a program stack.sh started. */
  pid(program: StackProgram): number
  /** `bash scripts/stack.sh up` again: starts whatever is not running. */
  up(): Promise<void>
  /** Text of a collector's own /metrics (`otel-collector` or `otel-gateway`). */
  collectorMetrics(program: 'otel-collector' | 'otel-gateway'): Promise<string>
  /** `bash scripts/stack.sh down`, then removes the state folder. */
  down(): Promise<void>
}

/** Sum of the samples of `name` whose label set contains every `key="value"` of `labels`. */
export function metricSum(text: string, name: string, labels: string[] = []): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (!(line.startsWith(`${name}{`) || line.startsWith(`${name} `))) continue
    if (labels.every((l) => line.includes(l))) total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}

/** Free ports and a state folder for a native stack, nothing started yet. */
export interface StackEnv {
  ports: Record<PortVar, number>
  /** The environment stack.sh runs with (ports and state folder). */
  env: NodeJS.ProcessEnv
  /** The state folder (pids, logs, data, generated files). */
  state: string
  /** `bash scripts/stack.sh <command>` with this environment, waited for. */
  run(command: string): { status: number | null; stdout: string; stderr: string }
}

export async function stackEnv(): Promise<StackEnv> {
  const state = mkdtempSync(join(tmpdir(), 'otelkit-stack-'))
  const ports = {} as Record<PortVar, number>
  const taken = new Set<number>()
  for (const name of PORT_VARS) {
    let port = await freePort()
    while (taken.has(port)) port = await freePort()
    taken.add(port)
    ports[name] = port
  }
  const env: NodeJS.ProcessEnv = { ...process.env, OTELKIT_STACK_STATE: state, OTELKIT_STACK_TIMEOUT: '120' }
  for (const name of PORT_VARS) env[name] = String(ports[name])
  const runCommand = (command: string) => {
    const r = spawnSync('bash', [STACK_SH, command], { env, encoding: 'utf8', timeout: 3_600_000 })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  return { ports, env, state, run: runCommand }
}

export async function startStack(): Promise<Stack> {
  const { ports, env, state } = await stackEnv()
  const up = async () => {
    try {
      await run('bash', [STACK_SH, 'up'], { env, timeout: 3_600_000, maxBuffer: 16 * 1024 * 1024 })
    } catch (error) {
      const e = error as { stderr?: string; message: string }
      throw new Error(`scripts/stack.sh up failed: ${e.stderr ?? e.message}`)
    }
  }
  const down = async () => {
    await run('bash', [STACK_SH, 'down'], { env, timeout: 120_000 }).catch(() => undefined)
    rmSync(state, { recursive: true, force: true })
  }
  try {
    await up()
  } catch (error) {
    await down()
    throw error
  }
  return {
    ports,
    env,
    agentHttpUrl: `http://127.0.0.1:${ports.OTELKIT_COLLECTOR_OTLP_HTTP_PORT}`,
    jaegerUrl: `http://127.0.0.1:${ports.OTELKIT_JAEGER_UI_PORT}`,
    prometheusUrl: `http://127.0.0.1:${ports.OTELKIT_PROMETHEUS_PORT}`,
    pid: (program) => Number(readFileSync(join(state, 'run', `${program}.pid`), 'utf8').split(' ')[0]),
    up,
    async collectorMetrics(program) {
      const port =
        program === 'otel-collector'
          ? ports.OTELKIT_COLLECTOR_METRICS_PORT
          : ports.OTELKIT_GATEWAY_METRICS_PORT
      return (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    },
    down,
  }
}
