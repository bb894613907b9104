/**
 * `OTEL_LOG_LEVEL` also routes the OpenTelemetry API's diag output (upstream instrumentations,
 * the SDK, exporters) through otelkit's logger: a fixture under the preload reports through
 * diag, and its stderr shows each kind of message once with the otelkit prefix, floods held back
 * and counted, debug lines only at debug level.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { DIAG_LINES_PER_MINUTE } from '../src/diag.js'
import { killAll, runFixture } from './support/service.js'

afterAll(() => killAll())

async function run(env: Record<string, string> = {}) {
  const { code, stderr } = await runFixture({
    fixture: 'diag-app.mjs',
    env: { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '1', ...env },
  })
  expect(code).toBe(0)
  const lines = stderr.split('\n')
  return {
    lines,
    // The fixture's own lines (the SDK may report more of its own).
    upstream: lines.filter((l) => l.includes('upstream: fixture')),
    count: (text: string) => lines.filter((l) => l.includes(text)).length,
  }
}

describe('diag through otelkit’s logger', () => {
  it('at the default level: each kind of warning once, with the prefix; floods held back; no debug', async () => {
    const { lines, upstream, count } = await run()
    expect(upstream[0]).toBe(
      '[otelkit] warn: upstream: fixture instrumentation could not patch module "left-pad" Error: unsupported version 0.0.1',
    )
    expect(count('fixture flood: same message')).toBe(1)
    expect(count('ended twice')).toBe(1)
    expect(count('[otelkit] error: upstream: fixture error line')).toBe(1)
    expect(count('fixture debug line')).toBe(0)
    const warnings = lines.filter((l) => l.startsWith('[otelkit] warn: upstream: '))
    expect(warnings.length).toBe(DIAG_LINES_PER_MINUTE)
    // Everything else was counted and reported once, when the SDK stopped.
    const held = lines.filter((l) => l.includes('upstream diagnostic line(s) held back'))
    expect(held).toHaveLength(1)
    const emitted = 1 + 500 + 200 + 200 + 50
    expect(held[0]).toMatch(/^\[otelkit\] warn: (\d+) more upstream/)
    const reported = Number(/warn: (\d+) more/.exec(held[0] ?? '')?.[1])
    expect(reported).toBeGreaterThan(emitted - DIAG_LINES_PER_MINUTE - 60)
    expect(reported).toBeLessThanOrEqual(emitted - DIAG_LINES_PER_MINUTE)
  })

  it('the SDK’s own warnings arrive the same way', async () => {
    // Attributes over OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: the SDK warns through diag, once per span.
    const { count } = await run({ OTEL_LOG_LEVEL: 'warn' })
    expect(count('[otelkit] warn: upstream: Dropping extra attributes.')).toBe(1)
  })

  it('at debug level debug lines appear; at error level only errors', async () => {
    const debug = await run({ OTEL_LOG_LEVEL: 'debug' })
    expect(debug.count('[otelkit] debug: upstream: fixture debug line')).toBe(1)
    // Objects passed to diag (a detected resource, with the process's command line) are named only.
    expect(debug.count('upstream: RedactedProcessDetector found resource. <')).toBe(1)
    expect(debug.lines.join('\n')).not.toContain('diag-app.mjs')
    const errors = await run({ OTEL_LOG_LEVEL: 'error' })
    expect(errors.upstream).toEqual(['[otelkit] error: upstream: fixture error line'])
  })
})
