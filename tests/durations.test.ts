/**
 * One duration syntax across otelkit: the SDK's variables (packages/node config/parse.ts), the
 * cache's options (packages/cache duration.ts) and the CLI's flags and scenarios (packages/cli
 * units.ts) read every form the same way: a unit `ms`, `s`, `m`, `h` or `d`, or a bare number,
 * which is milliseconds (as the standard OTEL_* variables are); and refuse the same forms.
 */
import { describe, expect, it } from 'vitest'
import { toMs } from '../packages/cache/src/duration.js'
import { parseDurationMs } from '../packages/cli/src/units.js'
import { parseDuration } from '../packages/node/src/config/parse.js'

const sdk = (raw: string): number | undefined => {
  const parsed = parseDuration(0, Number.MAX_SAFE_INTEGER)(raw)
  return parsed.ok ? parsed.value : undefined
}
const cache = (raw: string): number | undefined => {
  try {
    return toMs(raw, 'ttl')
  } catch {
    return undefined
  }
}
const cli = (raw: string): number | undefined => {
  try {
    return Math.round(parseDurationMs(raw, '--duration'))
  } catch {
    return undefined
  }
}

const FORMS: Array<[string, number | undefined]> = [
  ['30', 30],
  ['30ms', 30],
  ['30s', 30_000],
  ['2m', 120_000],
  ['1h', 3_600_000],
  ['1d', 86_400_000],
  ['1.5s', 1500],
  [' 250ms ', 250],
  ['0', 0],
  ['-5', undefined],
  ['5 parsecs', undefined],
  ['s', undefined],
  ['', undefined],
  ['10us', undefined],
  ['1e3', undefined],
]

describe('durations', () => {
  it.each(FORMS)('%j means the same in the SDK, the cache and the CLI', (raw, ms) => {
    expect({ sdk: sdk(raw), cache: cache(raw), cli: cli(raw) }).toEqual({ sdk: ms, cache: ms, cli: ms })
  })

  it('a number given in code is milliseconds in the cache and the CLI', () => {
    expect(toMs(30, 'ttl')).toBe(30)
    expect(parseDurationMs(30, 'duration')).toBe(30)
  })
})
