/**
 * A generic parser of the Prometheus text exposition format (0.0.4, and the OpenMetrics
 * subset it shares): samples with names, labels and values; comments, HELP and TYPE skipped.
 */

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?\s*$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g

function unescapeLabel(value: string): string {
  return value.replace(/\\(n|"|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : c))
}

function parseValue(raw: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY
  return Number(raw)
}

/** Parses exposition text; lines that are not samples are ignored, malformed ones counted. */
export function parsePrometheusText(text: string): { samples: Sample[]; malformed: number } {
  const samples: Sample[] = []
  let malformed = 0
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (!match) {
      malformed++
      continue
    }
    const labels: Record<string, string> = {}
    if (match[3]) for (const l of match[3].matchAll(LABEL)) labels[l[1]!] = unescapeLabel(l[2]!)
    const value = parseValue(match[4]!)
    if (Number.isNaN(value) && match[4] !== 'NaN') {
      malformed++
      continue
    }
    samples.push({ name: match[1]!, labels, value })
  }
  return { samples, malformed }
}

/** Sum of a metric's samples whose labels include `match`; undefined when absent. */
export function sumOf(
  samples: Sample[],
  name: string,
  match: Record<string, string> = {},
): number | undefined {
  let found = false
  let sum = 0
  for (const s of samples) {
    if (s.name !== name) continue
    if (!Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue
    found = true
    sum += s.value
  }
  return found ? sum : undefined
}

export function hasMetric(samples: Sample[], name: string): boolean {
  return samples.some((s) => s.name === name)
}
