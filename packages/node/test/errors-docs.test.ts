/**
 * docs/errors.md states the code's defaults, every built-in code rule and every category, so the
 * documentation cannot drift from the code.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ERRORS_DEFAULTS } from '../src/errors-tracking/feature.js'
import { categoryOfCode } from '../src/errors-tracking/rules.js'
import { ERROR_CATEGORIES } from '../src/errors-tracking/types.js'

const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'errors.md'), 'utf8')

function optionRows(): Map<string, string> {
  const section = doc.slice(doc.indexOf('## Options'), doc.indexOf('Through `start()`'))
  const rows = new Map<string, string>()
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    // split on the column pipes, not on an escaped `\|` inside a cell
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim().replace(/^`|`$/g, ''))
    rows.set(cells[1] as string, cells[3] as string)
  }
  return rows
}

describe('docs/errors.md', () => {
  it('states every default of the code', () => {
    const rows = optionRows()
    for (const [key, value] of Object.entries(ERRORS_DEFAULTS)) {
      expect(rows.get(key), key).toBe(typeof value === 'string' ? `'${value}'` : String(value))
    }
    expect(rows.get('classifyError')).toBe('undefined')
    expect(rows.get('appRoot')).toBe('process.cwd()')
  })

  it('documents each category and each code rule with the category the code gives', () => {
    for (const category of ERROR_CATEGORIES) expect(doc).toMatch(new RegExp(`\\| \`${category}\`\\s+\\|`))
    const start = doc.search(/\| code\s+\| category\s+\|/)
    expect(start).toBeGreaterThan(0)
    const table = doc.slice(start, doc.indexOf('4. **Error class names**'))
    let checked = 0
    for (const line of table.split('\n').slice(2)) {
      const cells = line.split('|').map((c) => c.trim())
      const category = cells[2]?.replace(/`/g, '')
      for (const code of (cells[1] ?? '').matchAll(/`([0-9A-Z_]+)`/g)) {
        // a two-character SQLSTATE class (`08`) stands for every code of the class
        const c = code[1] as string
        expect(categoryOfCode(c.length === 2 ? `${c}000` : c), c).toBe(category)
        checked++
      }
      for (const errno of (cells[1] ?? '').matchAll(/\((\d{4})\)/g)) {
        expect(categoryOfCode(errno[1] as string), errno[1]).toBe(category)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(40)
  })
})
