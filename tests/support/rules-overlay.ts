/**
 * Test-speed copies of the shipped Prometheus rule files: every duration (range selectors,
 * `offset`, `for`, `keep_firing_for`) divided by one factor, so a rule that needs 5 minutes of
 * data and 5 minutes of `for` in production fires within seconds against a service scraped
 * every second. The shipped files are read, never edited; expressions, labels and annotations
 * are otherwise kept as they are, so what fires here is what fires in production, faster.
 *
 * ```ts
 * const files = scaledRuleFiles(RULES_DIR, 30) // 5m -> 10s, 1h -> 2m
 * await startPrometheus({ config, files })
 * ```
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
}

/** `5m` -> 300; `1h30m` -> 5400; throws on anything else. */
export function durationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`not a Prometheus duration: "${text}"`)
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]!]!, 0)
}

/** A duration divided by `factor`, as whole seconds (at least 1s), in Prometheus form. */
export function scaleDuration(text: string, factor: number): string {
  return `${Math.max(1, Math.round(durationSeconds(text) / factor))}s`
}

/** Scales range selectors (`[5m]`, subqueries `[1h:5m]`) and `offset` durations of one expression. */
export function scaleExpr(expr: string, factor: number): string {
  return expr
    .replace(/\[(\w+)(?::(\w*))?\]/g, (_m, range: string, step?: string) =>
      step === undefined
        ? `[${scaleDuration(range, factor)}]`
        : `[${scaleDuration(range, factor)}:${step ? scaleDuration(step, factor) : ''}]`,
    )
    .replace(/\boffset\s+(\w+)/g, (_m, d: string) => `offset ${scaleDuration(d, factor)}`)
}

interface Rule {
  expr: string
  for?: string
  keep_firing_for?: string
  [key: string]: unknown
}

/** One rule file's text, scaled. */
export function scaleRuleFile(text: string, factor: number): string {
  const doc = parse(text) as { groups: Array<{ interval?: string; rules: Rule[] }> }
  for (const group of doc.groups) {
    if (group.interval) group.interval = scaleDuration(group.interval, factor)
    for (const rule of group.rules) {
      rule.expr = scaleExpr(rule.expr, factor)
      if (rule.for) rule.for = scaleDuration(rule.for, factor)
      if (rule.keep_firing_for) rule.keep_firing_for = scaleDuration(rule.keep_firing_for, factor)
    }
  }
  return stringify(doc)
}

/** Every `*.yml` rule file of `dir`, scaled: file name -> content (for startPrometheus's `files`). */
export function scaledRuleFiles(dir: string, factor: number): Record<string, string> {
  const files: Record<string, string> = {}
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
    files[name] = scaleRuleFile(readFileSync(join(dir, name), 'utf8'), factor)
  }
  return files
}

/**
 * Every `*.yml` rule file of `dir` as shipped, except that each group runs at the global
 * evaluation interval (its own `interval`, such as the 5-minute one of the 30-day SLO group,
 * removed), so a test sees every rule evaluated within seconds: file name -> content.
 */
export function ruleFilesAtGlobalInterval(dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
    const doc = parse(readFileSync(join(dir, name), 'utf8')) as { groups: Array<{ interval?: string }> }
    for (const group of doc.groups) delete group.interval
    files[name] = stringify(doc)
  }
  return files
}
