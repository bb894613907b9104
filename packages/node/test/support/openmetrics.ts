/**
 * A strict OpenMetrics 1.0 text parser for tests: it throws, naming the line, on anything the
 * specification forbids that otelkit could plausibly get wrong — a missing or early `# EOF`,
 * metadata after a family's samples or repeated, a sample name outside its family's type, a
 * `# UNIT` that is not the name's suffix, a malformed label set or value, a duplicate series,
 * a non-canonical `le`, buckets out of order, not cumulative or without `+Inf` = `_count`, an
 * exemplar where none is allowed, over 128 characters of labels, or outside its bucket.
 *
 * ```ts
 * const families = parseOpenMetrics(await res.text())
 * const buckets = families.get('http_server_request_duration_seconds')?.samples
 * ```
 */

export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'info' | 'unknown' | 'summary' | 'stateset'

export interface Exemplar {
  labels: Record<string, string>
  value: number
  timestamp?: number
}

export interface Sample {
  /** Full sample name, e.g. `x_bucket`. */
  name: string
  labels: Record<string, string>
  value: number
  timestamp?: number
  exemplar?: Exemplar
}

export interface Family {
  name: string
  type: FamilyType
  help?: string
  unit?: string
  samples: Sample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set<FamilyType>(['counter', 'gauge', 'histogram', 'info', 'unknown', 'summary', 'stateset'])
const SUFFIXES: Record<FamilyType, string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  info: ['_info'],
  unknown: [''],
  summary: ['', '_count', '_sum', '_created'],
  stateset: [''],
}
/** OpenMetrics numbers: decimal or exponent floats, +Inf/-Inf/NaN. */
const NUMBER = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/
/** Canonical `le` values: integral ones end in `.0`. */
const CANONICAL = /^(?:[+-]?\d+\.\d+(?:[eE][+-]?\d+)?|[+-]?\d+(?:\.\d+)?[eE][+-]?\d+|\+Inf)$/

function number(text: string, where: string): number {
  if (!NUMBER.test(text)) throw new Error(`${where}: "${text}" is not an OpenMetrics number`)
  if (text === '+Inf') return Number.POSITIVE_INFINITY
  if (text === '-Inf') return Number.NEGATIVE_INFINITY
  return Number(text)
}

/** Parses `{a="b",c="d"}` from `text` at `start`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, where: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {}
  let i = start + 1
  if (text[i] === '}') return [labels, i + 1]
  for (;;) {
    const eq = text.indexOf('=', i)
    if (eq < 0) throw new Error(`${where}: label without "="`)
    const name = text.slice(i, eq)
    if (!LABEL.test(name)) throw new Error(`${where}: invalid label name "${name}"`)
    if (name in labels) throw new Error(`${where}: label "${name}" repeated`)
    if (text[eq + 1] !== '"') throw new Error(`${where}: label "${name}" value not quoted`)
    let value = ''
    let j = eq + 2
    for (;;) {
      const c = text[j]
      if (c === undefined) throw new Error(`${where}: unterminated label value`)
      if (c === '"') break
      if (c === '\\') {
        const next = text[j + 1]
        if (next === 'n') value += '\n'
        else if (next === '\\' || next === '"') value += next
        else throw new Error(`${where}: invalid escape "\\${next}"`)
        j += 2
        continue
      }
      if (c === '\n') throw new Error(`${where}: raw newline in label value`)
      value += c
      j++
    }
    labels[name] = value
    i = j + 1
    if (text[i] === '}') return [labels, i + 1]
    if (text[i] !== ',') throw new Error(`${where}: expected "," or "}" after label "${name}"`)
    i++
  }
}

function parseSampleLine(line: string, where: string): Sample {
  const brace = line.indexOf('{')
  const space = line.indexOf(' ')
  let name: string
  let labels: Record<string, string> = {}
  let rest: string
  if (brace >= 0 && (space < 0 || brace < space)) {
    name = line.slice(0, brace)
    const [parsed, end] = parseLabels(line, brace, where)
    labels = parsed
    if (line[end] !== ' ') throw new Error(`${where}: expected one space after the labels`)
    rest = line.slice(end + 1)
  } else {
    if (space < 0) throw new Error(`${where}: sample without a value`)
    name = line.slice(0, space)
    rest = line.slice(space + 1)
  }
  if (!NAME.test(name)) throw new Error(`${where}: invalid metric name "${name}"`)
  const hash = rest.indexOf(' # ')
  const main = hash >= 0 ? rest.slice(0, hash) : rest
  const parts = main.split(' ')
  if (parts.length > 2 || parts.some((p) => p === ''))
    throw new Error(`${where}: malformed value part "${main}"`)
  const sample: Sample = { name, labels, value: number(parts[0] as string, where) }
  if (parts[1] !== undefined) sample.timestamp = number(parts[1], where)
  if (hash >= 0) {
    const ex = rest.slice(hash + 3)
    if (ex[0] !== '{') throw new Error(`${where}: exemplar without a label set`)
    const [exLabels, end] = parseLabels(ex, 0, where)
    const length = Object.entries(exLabels).reduce((n, [k, v]) => n + k.length + v.length, 0)
    if (length > 128) throw new Error(`${where}: exemplar labels of ${length} characters (at most 128)`)
    if (ex[end] !== ' ') throw new Error(`${where}: exemplar without a value`)
    const exParts = ex.slice(end + 1).split(' ')
    if (exParts.length > 2 || exParts.some((p) => p === '')) throw new Error(`${where}: malformed exemplar`)
    sample.exemplar = { labels: exLabels, value: number(exParts[0] as string, where) }
    if (exParts[1] !== undefined) sample.exemplar.timestamp = number(exParts[1], where)
  }
  return sample
}

function seriesKey(name: string, labels: Record<string, string>): string {
  return `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`
}

/** Checks a histogram's buckets per series: canonical ascending `le`, cumulative, `+Inf` = `_count`. */
function checkHistogram(family: Family): void {
  const series = new Map<string, { les: number[]; counts: number[]; count?: number; exemplars: Sample[] }>()
  for (const s of family.samples) {
    const { le, ...rest } = s.labels
    const key = seriesKey('', rest)
    const entry = series.get(key) ?? { les: [], counts: [], exemplars: [] }
    series.set(key, entry)
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`)
      if (!CANONICAL.test(le)) throw new Error(`${family.name}: le="${le}" is not a canonical number`)
      const bound = number(le, family.name)
      const previous = entry.les[entry.les.length - 1]
      if (previous !== undefined && bound <= previous) throw new Error(`${family.name}: le not ascending`)
      const last = entry.counts[entry.counts.length - 1]
      if (last !== undefined && s.value < last) throw new Error(`${family.name}: buckets not cumulative`)
      if (s.exemplar !== undefined) {
        const low = previous ?? Number.NEGATIVE_INFINITY
        if (!(s.exemplar.value > low && s.exemplar.value <= bound))
          throw new Error(
            `${family.name}: exemplar ${s.exemplar.value} outside its bucket (${low}, ${bound}]`,
          )
      }
      entry.les.push(bound)
      entry.counts.push(s.value)
    } else if (s.name.endsWith('_count')) entry.count = s.value
  }
  for (const [key, entry] of series) {
    if (entry.les[entry.les.length - 1] !== Number.POSITIVE_INFINITY)
      throw new Error(`${family.name}${key}: no +Inf bucket`)
    if (entry.count !== entry.counts[entry.counts.length - 1])
      throw new Error(`${family.name}${key}: +Inf bucket differs from _count`)
  }
}

/** Parses OpenMetrics text strictly; families by name, in order of appearance. */
export function parseOpenMetrics(text: string): Map<string, Family> {
  if (!text.endsWith('# EOF\n') && !text.endsWith('# EOF')) throw new Error('text does not end with "# EOF"')
  const lines = text.replace(/\n$/, '').split('\n')
  const families = new Map<string, Family>()
  const seen = new Set<string>()
  let current: Family | undefined
  let sampled = false
  lines.forEach((line, index) => {
    const where = `line ${index + 1} "${line.length > 120 ? `${line.slice(0, 120)}…` : line}"`
    if (line === '# EOF') {
      if (index !== lines.length - 1) throw new Error(`${where}: "# EOF" before the end`)
      return
    }
    if (line === '') throw new Error(`${where}: empty line`)
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE|UNIT) ([^ ]+)(?: (.*))?$/.exec(line)
      if (!match) throw new Error(`${where}: unknown comment`)
      const [, kind, name = '', value = ''] = match
      if (!NAME.test(name)) throw new Error(`${where}: invalid family name "${name}"`)
      if (current?.name !== name) {
        if (families.has(name)) throw new Error(`${where}: family "${name}" appears twice`)
        current = { name, type: 'unknown', samples: [] }
        families.set(name, current)
        sampled = false
      }
      if (sampled) throw new Error(`${where}: metadata after the family's samples`)
      if (kind === 'TYPE') {
        if (!TYPES.has(value as FamilyType)) throw new Error(`${where}: unknown type "${value}"`)
        current.type = value as FamilyType
      } else if (kind === 'HELP') current.help = value
      else {
        if (!name.endsWith(`_${value}`))
          throw new Error(`${where}: unit "${value}" is not a suffix of "${name}"`)
        current.unit = value
      }
      return
    }
    const sample = parseSampleLine(line, where)
    if (current === undefined) throw new Error(`${where}: sample before any family metadata`)
    const family = current
    const suffix = SUFFIXES[family.type].find((s) => sample.name === `${family.name}${s}`)
    if (suffix === undefined)
      throw new Error(`${where}: "${sample.name}" is not a sample of ${family.type} ${family.name}`)
    if (sample.exemplar !== undefined && suffix !== '_bucket' && suffix !== '_total')
      throw new Error(`${where}: exemplar on a ${suffix || family.type} sample`)
    const key = seriesKey(sample.name, sample.labels)
    if (seen.has(key)) throw new Error(`${where}: duplicate series`)
    seen.add(key)
    sampled = true
    family.samples.push(sample)
  })
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family)
  return families
}
