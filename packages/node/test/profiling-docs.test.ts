/**
 * docs/profiling.md stays in step with the code: every profiling option is listed with the
 * default the code uses, and each variable the doc names reaches the profiling options through
 * the config module (the one reader of the environment).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load.js'
import { setLogSink } from '../src/logger.js'
import { PROFILING_DEFAULTS, resolveProfilingOptions } from '../src/profiling/index.js'

const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'profiling.md'), 'utf8')

const VARIABLES: Record<keyof typeof PROFILING_DEFAULTS, [string, string]> = {
  profileMaxSeconds: ['OTELKIT_PROFILE_MAX_SECONDS', '7'],
  heapSnapshot: ['OTELKIT_HEAP_SNAPSHOT', 'true'],
  heapSamplingIntervalBytes: ['OTELKIT_HEAP_SAMPLING_INTERVAL_BYTES', '4096'],
  profiler: ['OTELKIT_PROFILER', 'inspector'],
}

/** Profiling options as the SDK resolves them from `env` (warnings collected, not printed). */
function fromEnv(env: Record<string, string>, warnings: string[] = []) {
  setLogSink((line) => warnings.push(line))
  try {
    return resolveProfilingOptions(loadConfig(undefined, env))
  } finally {
    setLogSink((line) => process.stderr.write(`${line}\n`))
  }
}

function docRow(variable: string): string[] {
  const line = doc.split('\n').find((l) => l.startsWith(`| \`${variable}\``))
  expect(line, variable).toBeDefined()
  return line!.split(/(?<!\\)\|/).map((cell) => cell.trim())
}

describe('profiling options', () => {
  it.each(Object.entries(VARIABLES))(
    '%s: documented default equals the code, env is read',
    (key, [variable, value]) => {
      const cells = docRow(variable)
      expect(cells[3]).toBe(`\`${String(PROFILING_DEFAULTS[key as keyof typeof PROFILING_DEFAULTS])}\``)
      expect(resolveProfilingOptions({})).toEqual(PROFILING_DEFAULTS)
      expect(fromEnv({})).toEqual(PROFILING_DEFAULTS)
      const resolved = fromEnv({ [variable]: value })
      expect(String(resolved[key as keyof typeof PROFILING_DEFAULTS])).toBe(value)
    },
  )

  it('falls back to the default on a malformed value (one warning each), and options in code win over the environment', () => {
    const env = {
      OTELKIT_PROFILE_MAX_SECONDS: 'lots',
      OTELKIT_HEAP_SNAPSHOT: 'maybe',
      OTELKIT_PROFILER: 'gdb',
    }
    const warnings: string[] = []
    expect(fromEnv(env, warnings)).toEqual(PROFILING_DEFAULTS)
    expect(warnings).toHaveLength(3)
    for (const name of Object.keys(env)) expect(warnings.join('\n')).toContain(`invalid ${name}=`)
    const config = loadConfig({ profileMaxSeconds: 5 }, { OTELKIT_PROFILE_MAX_SECONDS: '9' })
    expect(resolveProfilingOptions(config).profileMaxSeconds).toBe(5)
  })
})
