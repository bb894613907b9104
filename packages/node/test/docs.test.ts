/** The README stays true to the code: every variable, its default, every error code. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../src/config/defaults.js'
import { SETTING_ENTRIES } from '../src/config/settings/index.js'
import { withConfigTable } from '../src/config/settings/readme-table.js'
import { ENV_VARIABLES } from '../src/config/variables.js'
import { ERROR_CODES } from '../src/errors.js'
import { PACKAGE_DIR } from './support/service.js'

const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')

function tableRows(firstHeader: string): string[][] {
  const lines = readme.split('\n')
  const start = lines.findIndex((l) => new RegExp(`^\\|\\s*${firstHeader}\\s*\\|`).test(l))
  const rows: string[][] = []
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    )
  }
  return rows
}

const code = (cell: string | undefined) => cell?.match(/^`([^`]*)`$/)?.[1]

describe('README', () => {
  const rows = tableRows('variable')

  it('holds the variable table generated from the settings declaration (pnpm --filter @otelkit/node docs:config)', () => {
    expect(withConfigTable(readme)).toBe(readme)
  })

  it('gives examples each variable accepts', () => {
    let checked = 0
    for (const [, setting] of SETTING_ENTRIES) {
      for (const variable of setting.variables) {
        if (variable.example === undefined) continue
        expect(setting.kind.parse(variable.example), variable.name).toMatchObject({ ok: true })
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(ENV_VARIABLES.length - 2)
  })

  it('lists every environment variable the SDK reads, with its option', () => {
    const documented = new Map(rows.map((r) => [code(r[0]), r]))
    for (const variable of ENV_VARIABLES) {
      const row = documented.get(variable.name)
      expect(row, `${variable.name} is missing from the README`).toBeDefined()
      if (!variable.option.endsWith('Protocol') || variable.option === 'otlpProtocol') {
        expect(code(row?.[1])).toBe(variable.option)
      }
    }
    expect(rows.length).toBe(ENV_VARIABLES.length)
  })

  it('states the same defaults as the code', () => {
    let checked = 0
    for (const row of rows) {
      const option = code(row[1]) as keyof typeof DEFAULTS | undefined
      if (!option || !(option in DEFAULTS)) continue
      const value = DEFAULTS[option] as unknown
      const literal = code(row[2])
      if (literal === undefined) continue
      const expected = Array.isArray(value) ? value.join(',') : String(value)
      expect(literal, `default of ${row[0]}`).toBe(expected)
      checked++
    }
    expect(checked).toBeGreaterThanOrEqual(20)
  })

  it('states every default the code has, for each variable that sets it (the other way round)', () => {
    const byName = new Map(rows.map((r) => [code(r[0]), r]))
    const described = new Set(['serviceName'])
    for (const variable of ENV_VARIABLES) {
      const option = variable.option as string
      if (!(option in DEFAULTS) || described.has(option)) continue
      const value = DEFAULTS[option as keyof typeof DEFAULTS] as unknown
      const expected = Array.isArray(value) ? value.join(',') : String(value)
      expect(byName.get(variable.name)?.[2], `default of ${variable.name}`).toContain(expected)
    }
  })

  it('reads every duration with one syntax: a unit, or a bare number of milliseconds', () => {
    const durations = ENV_VARIABLES.filter((v) => v.option.endsWith('Ms'))
    expect(durations.length).toBeGreaterThanOrEqual(10)
    for (const variable of durations) {
      expect(variable.parse('2s'), variable.name).toEqual({ ok: true, value: 2000 })
      expect(variable.parse('2000'), variable.name).toEqual({ ok: true, value: 2000 })
    }
    expect(readme).toMatch(/a bare number is milliseconds/)
  })

  it('documents every error code, and only those', () => {
    const documented = tableRows('code').map((r) => code(r[0]))
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort())
  })
})
