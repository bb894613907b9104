/**
 * `--compare baseline.json`: the change of each headline figure against a previous result, and
 * whether any gated figure regressed by more than `--max-regression`.
 */
import { readFile } from 'node:fs/promises'
import { CliError } from '../errors.js'
import { type LoadResult, LoadResultSchema } from './result.js'

interface Figure {
  figure: string
  value: (r: LoadResult) => number
  /** Which direction is better. */
  better: 'higher' | 'lower'
  /** Gated by --max-regression (max latency is too noisy to gate). */
  gated: boolean
  /** Absolute difference instead of relative change. */
  absolute?: boolean
}

export const FIGURES: Figure[] = [
  { figure: 'rps', value: (r) => r.requests.perSecond, better: 'higher', gated: true },
  { figure: 'p50', value: (r) => r.latencyMs.p50, better: 'lower', gated: true },
  { figure: 'p90', value: (r) => r.latencyMs.p90, better: 'lower', gated: true },
  { figure: 'p99', value: (r) => r.latencyMs.p99, better: 'lower', gated: true },
  { figure: 'p99.9', value: (r) => r.latencyMs.p999, better: 'lower', gated: false },
  { figure: 'max', value: (r) => r.latencyMs.max, better: 'lower', gated: false },
  { figure: 'errorRate', value: (r) => r.errorRate, better: 'lower', gated: true, absolute: true },
]

export async function readBaseline(path: string): Promise<LoadResult> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new CliError('OTELKIT_CLI_BASELINE_INVALID', `baseline ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const parsed = LoadResultSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new CliError(
      'OTELKIT_CLI_BASELINE_INVALID',
      `baseline ${path} is not an otelkit load result: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    )
  }
  return parsed.data
}

export function compareResults(
  baseline: LoadResult,
  current: LoadResult,
  baselineName: string,
  maxRegression: number | undefined,
): NonNullable<LoadResult['comparison']> {
  const figures = FIGURES.map((f) => {
    const before = f.value(baseline)
    const after = f.value(current)
    const change = f.absolute
      ? after - before
      : before === 0
        ? after === 0
          ? 0
          : Number.POSITIVE_INFINITY
        : (after - before) / before
    const worse = f.better === 'higher' ? -change : change
    const regression = f.gated && maxRegression !== undefined && worse > maxRegression
    return {
      figure: f.figure,
      baseline: before,
      current: after,
      change: Number.isFinite(change) ? change : 1e9,
      regression,
    }
  })
  return {
    baseline: baselineName,
    ...(maxRegression !== undefined ? { maxRegression } : {}),
    figures,
    pass: figures.every((f) => !f.regression),
  }
}
