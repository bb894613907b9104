/**
 * The settings' declaration (src/config/settings) and what is written beside it stay one: the
 * documented `OtelkitOptions` (its type is checked against the declaration at compile time, its
 * TSDoc here) names each option's variable and states the declared default, both ways; every
 * option is validated in code and every variable read from the environment.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../src/config/defaults.js'
import { readEnv } from '../src/config/env.js'
import { validateOptions } from '../src/config/schema.js'
import { SETTING_ENTRIES, variableOf } from '../src/config/settings/index.js'
import { PACKAGE_DIR } from './support/service.js'

/** Each documented member of `OtelkitOptions`: its name and TSDoc text. */
function documentedOptions(): Map<string, string> {
  const source = readFileSync(join(PACKAGE_DIR, 'src/config/options.ts'), 'utf8')
  const body = source.slice(source.indexOf('export interface OtelkitOptions'))
  const out = new Map<string, string>()
  for (const match of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*(\w+)\?:/g)) {
    out.set(match[2] as string, (match[1] as string).replace(/\s*\n\s*\*\s?/g, ' ').trim())
  }
  return out
}

/**
 * The `@default` of a TSDoc when it is a literal (a number, boolean, 'string' or ['list']); else
 * undefined (prose, or a shortened list such as '/proc/*,...').
 */
function literalDefault(doc: string): unknown {
  const text = doc.match(/@default (.*)$/)?.[1]?.trim()
  if (text === undefined) return undefined
  if (/^-?\d+$/.test(text)) return Number(text)
  if (text === 'true' || text === 'false') return text === 'true'
  if (/^'[^']*'$/.test(text) && !text.endsWith("...'")) return text.slice(1, -1)
  if (/^\[('[^']*',?\s*)*\]$/.test(text)) return [...text.matchAll(/'([^']*)'/g)].map((m) => m[1])
  return undefined
}

describe('the settings declaration', () => {
  const documented = documentedOptions()
  const generic = SETTING_ENTRIES.filter(([option]) => documented.has(option))

  it('every option of OtelkitOptions is documented one by one, or by the per-signal OTLP type', () => {
    expect(generic.length).toBeGreaterThanOrEqual(60)
    for (const [option] of SETTING_ENTRIES) {
      if (documented.has(option)) continue
      expect(option, 'only per-signal OTLP options are documented together').toMatch(
        /^otlp(Traces|Metrics|Logs)[A-Z]/,
      )
    }
  })

  it("each option's TSDoc names the variable that sets it", () => {
    for (const [option, setting] of generic) {
      const doc = documented.get(option) as string
      if (setting.variables.length === 0) expect(doc, option).toMatch(/code only/)
      else expect(doc, option).toContain(`\`${variableOf(option)}\``)
    }
  })

  it("each option's TSDoc @default is the declared default, both ways", () => {
    let literals = 0
    for (const [option, setting] of generic) {
      const stated = literalDefault(documented.get(option) as string)
      const declared = (DEFAULTS as Record<string, unknown>)[option]
      if (stated !== undefined) {
        literals++
        expect(declared, `${option}: TSDoc says @default ${JSON.stringify(stated)}`).toEqual(stated)
      } else if (declared !== undefined && option !== 'serviceName') {
        // Prose is allowed only where the declaration has no default of its own (or it is derived).
        expect.fail(`${option}: declared default ${JSON.stringify(declared)} is not the TSDoc @default`)
      }
      expect(setting.default, option).toEqual(declared)
    }
    expect(literals).toBeGreaterThanOrEqual(40)
  })

  it('validates every option in code, and reads every variable from the environment', () => {
    const unknown = (() => {
      try {
        validateOptions({ notAnOption: 1 })
      } catch (error) {
        return String(error)
      }
      return ''
    })()
    expect(unknown).toContain('notAnOption')
    for (const [option, setting] of SETTING_ENTRIES) {
      if (setting.default !== undefined) {
        const value = Array.isArray(setting.default) ? [...setting.default] : setting.default
        expect(validateOptions({ [option]: value }), option).toEqual({ [option]: value })
      }
      for (const variable of setting.variables) {
        if (variable.example === undefined) continue
        const { options, warnings } = readEnv({ [variable.name]: variable.example })
        expect(warnings, variable.name).toEqual([])
        expect(options, variable.name).toHaveProperty(option)
      }
    }
  })
})
