/**
 * Reads the SDK's environment variables. A bad value never stops the service: it produces one
 * warning naming the variable, the value (secrets redacted) and the accepted form, and that
 * setting keeps its default. A list with some bad entries keeps the good ones (one warning
 * naming the bad ones); a variable marked `blank` warns when it is set but empty. Two variables
 * may set one option (`OTEL_EXPORTER_PROMETHEUS_PORT` and `OTELKIT_OPS_PORT`): the later row of
 * the table wins, and a bad later value leaves the earlier one in force (its warning says so).
 */
import type { OtelkitOptions } from './options.js'
import { ENV_VARIABLES } from './variables.js'

/** The options the environment sets: the same as `start()`'s (each variable sets one option). */
export type EnvOptions = OtelkitOptions

export interface EnvReadResult {
  options: EnvOptions
  warnings: string[]
}

function shown(value: string, secret: boolean | undefined): string {
  if (secret) return '<redacted>'
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value)
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): EnvReadResult {
  const options: Record<string, unknown> = {}
  // Which variable set an option, when two set the same one (the later row wins).
  const setBy: Record<string, string> = {}
  const warnings: string[] = []
  for (const variable of ENV_VARIABLES) {
    const raw = env[variable.name]
    if (raw === undefined) continue
    if (raw.trim() === '') {
      if (variable.blank !== undefined) warnings.push(`${variable.name} is set but blank: ${variable.blank}`)
      continue
    }
    const parsed = variable.parse(raw)
    if (parsed.ok) {
      options[variable.option] = parsed.value
      setBy[variable.option] = variable.name
      if (parsed.skipped !== undefined) {
        const { entries, expected } = parsed.skipped
        warnings.push(
          `invalid ${variable.name}=${shown(raw, variable.secret)}: ${entries.join(', ')} skipped: expected ${expected}; the other entries apply`,
        )
      }
    } else {
      warnings.push(
        `invalid ${variable.name}=${shown(raw, variable.secret)}: expected ${parsed.expected}; using ${setBy[variable.option] ?? 'the default'}`,
      )
    }
  }
  return { options: options as EnvOptions, warnings }
}
