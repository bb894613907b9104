/**
 * The README stays in step with the code: every error code is documented (and every documented
 * code exists), every flag of every command's help is in the README, and documented defaults
 * equal the code's.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DOCTOR_HELP } from '../src/commands/doctor.js'
import { LOAD_HELP } from '../src/commands/load.js'
import { PROFILE_HELP } from '../src/commands/profile.js'
import { CLI_ERROR_CODES } from '../src/errors.js'
import { DEFAULT_CONNECTIONS, DEFAULT_DURATION } from '../src/load/plan.js'
import { LoadResultSchema } from '../src/load/result.js'
import { THRESHOLD_METRICS } from '../src/load/thresholds.js'
import { PACKAGE_DIR } from './helpers.js'

const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A table row starting with these cells, whatever the column padding. */
function row(...cells: string[]): RegExp {
  return new RegExp(`\\|\\s*${cells.map(escapeRegExp).join('\\s*\\|\\s*')}\\s*\\|`)
}

describe('README', () => {
  it('documents every error code with its meaning, and no other', () => {
    for (const [code, meaning] of Object.entries(CLI_ERROR_CODES))
      expect(readme).toMatch(row(`\`${code}\``, meaning))
    const documented = [...readme.matchAll(/`(OTELKIT_CLI_[A-Z_]+)`/g)].map((m) => m[1])
    for (const code of documented) expect(Object.keys(CLI_ERROR_CODES)).toContain(code)
  })

  it.each([
    ['load', LOAD_HELP],
    ['profile', PROFILE_HELP],
    ['doctor', DOCTOR_HELP],
  ])('documents every flag of otelkit %s', (_command, help) => {
    const flags = [...help.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)]
      .map((m) => m[1]!)
      .filter((f) => f !== '--help')
    expect(flags.length).toBeGreaterThan(2)
    for (const flag of flags) expect(readme, flag).toMatch(new RegExp(`\\|\\s*\`(-\\w, )?${flag}[ \`]`))
  })

  it('states the defaults the code uses', () => {
    expect(readme).toMatch(row('`-c, --connections <n>`', `\`${DEFAULT_CONNECTIONS}\``))
    expect(readme).toMatch(row('`-d, --duration <time>`', `\`${DEFAULT_DURATION}\``))
    expect(LOAD_HELP).toMatch(new RegExp(`--connections <n> .*default ${DEFAULT_CONNECTIONS}`))
    expect(LOAD_HELP).toMatch(new RegExp(`--duration <time> .*default ${DEFAULT_DURATION}`))
  })

  it('lists every threshold metric', () => {
    for (const metric of THRESHOLD_METRICS) expect(readme, metric).toContain(`\`${metric}\``)
  })

  it('documents every field of the result document', () => {
    const section = readme.slice(readme.indexOf('### Result document'), readme.indexOf('### HTML report'))
    for (const field of Object.keys(LoadResultSchema.shape))
      expect(section, field).toMatch(new RegExp(`\`${field}(\\[\\])?\``))
  })
})
