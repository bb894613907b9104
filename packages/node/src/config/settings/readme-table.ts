/**
 * The README's variable table, generated from the settings' declaration: one row per variable
 * (variable, option, default, example, meaning), laid out as Biome formats Markdown tables.
 * `pnpm --filter @otelkit/node docs:config` writes it into README.md; test/docs.test.ts checks
 * the README holds exactly this table.
 */
import type { AnySetting, Variable } from './define.js'
import { SETTING_ENTRIES } from './index.js'

const HEADER = ['variable', 'option', 'default', 'example', 'meaning'] as const

/** What every duration row says of its accepted form. */
export const DURATION_NOTE = 'a duration (`30s`, `500ms`, `2m`; a bare number is ms)'

const code = (text: string) => `\`${text}\``

function defaultCell(setting: AnySetting, variable: Variable): string {
  if (variable.defaultDoc !== undefined) return variable.defaultDoc
  const value: unknown = setting.default
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return '(none)'
  return code(Array.isArray(value) ? value.join(',') : String(value))
}

function exampleCell(variable: Variable): string {
  if (variable.exampleDoc !== undefined) return variable.exampleDoc
  return variable.example === undefined ? '' : code(variable.example)
}

function meaningCell(setting: AnySetting, variable: Variable): string {
  return setting.kind.duration ? `${variable.doc}; ${DURATION_NOTE}` : variable.doc
}

/** The rows, in declaration order (options without a variable, set in code only, have none). */
export function configTableRows(): string[][] {
  return SETTING_ENTRIES.flatMap(([option, setting]) =>
    setting.variables.map((variable) => [
      code(variable.name),
      code(option),
      defaultCell(setting, variable),
      exampleCell(variable),
      meaningCell(setting, variable),
    ]),
  )
}

/** The table as Markdown, each column padded to its widest cell. */
export function renderConfigTable(): string {
  const rows = [[...HEADER], ...configTableRows()].map((row) => row.map((cell) => cell.replace(/\|/g, '\\|')))
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)))
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`
  const [header, ...body] = rows
  return [line(header ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

/** `readme` with its variable table (the table whose first header is `variable`) replaced by the generated one. */
export function withConfigTable(readme: string): string {
  const lines = readme.split('\n')
  const start = lines.findIndex((l) => /^\|\s*variable\s*\|/.test(l))
  if (start < 0) throw new Error('README has no table whose first header is "variable"')
  let end = start
  while (end < lines.length && lines[end]?.startsWith('|')) end++
  return [...lines.slice(0, start), renderConfigTable(), ...lines.slice(end)].join('\n')
}
