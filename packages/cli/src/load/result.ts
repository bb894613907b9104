/**
 * The result document of `otelkit load` (`--json`, `--out`), defined once as a zod schema: the
 * same schema validates a `--compare` baseline and is documented in the README.
 */
import { z } from 'zod'
import type { OpsData } from '../ops/sampler.js'
import type { Plan } from './plan.js'
import { HISTOGRAM_BOUNDS_MS, type Recorder } from './recorder.js'

export const RESULT_SCHEMA_ID = 'otelkit.load.result/v1'

const ms = z.number().nonnegative()

export const ThresholdResultSchema = z.object({
  expression: z.string(),
  metric: z.string(),
  actual: z.number(),
  pass: z.boolean(),
})

export const ComparisonSchema = z.object({
  baseline: z.string(),
  maxRegression: z.number().optional(),
  figures: z.array(
    z.object({
      figure: z.string(),
      baseline: z.number(),
      current: z.number(),
      /** Relative change (0.1 = +10%); for `errorRate`, the change in percentage points / 100. */
      change: z.number(),
      regression: z.boolean(),
    }),
  ),
  pass: z.boolean(),
})

export const LoadResultSchema = z.object({
  schema: z.literal(RESULT_SCHEMA_ID),
  name: z.string().optional(),
  target: z.string(),
  startedAt: z.string().datetime(),
  durationSeconds: z.number().nonnegative(),
  options: z.object({
    connections: z.number().int(),
    rate: z.number().optional(),
    amount: z.number().int().optional(),
    stages: z
      .array(
        z.object({
          stage: z.string(),
          durationMs: z.number(),
          rate: z.number().optional(),
          connections: z.number(),
        }),
      )
      .optional(),
  }),
  requests: z.object({
    total: z.number().int().nonnegative().describe('Responses plus transport errors.'),
    ok: z.number().int().nonnegative().describe('Responses with status 200-399.'),
    failed: z.number().int().nonnegative().describe('Responses outside 200-399 plus transport errors.'),
    transportErrors: z.number().int().nonnegative().describe('Connection errors and timeouts (no response).'),
    timeouts: z.number().int().nonnegative().describe('Requests without a response within --timeout.'),
    perSecond: z.number().nonnegative().describe('Mean throughput over the run (total / durationSeconds).'),
  }),
  errorRate: z.number().min(0).max(1).describe('requests.failed / requests.total, 0..1.'),
  errorKinds: z.record(z.string(), z.number().int()),
  latencyMs: z
    .object({ min: ms, mean: ms, p50: ms, p90: ms, p95: ms, p99: ms, p999: ms, max: ms })
    .describe('Response latency in milliseconds over the whole run (HdrHistogram, 3 significant digits).'),
  statusCodes: z.record(z.string(), z.number().int()).describe('Responses per HTTP status code.'),
  byRequest: z
    .array(
      z.object({
        name: z.string(),
        requests: z.number().int(),
        failed: z.number().int(),
        latencyMs: z.object({ p50: ms, p90: ms, p99: ms, max: ms }),
      }),
    )
    .describe(
      'Responses per scenario request (by name; transport errors are not attributed), in scenario order.',
    ),
  bytes: z.object({ total: z.number().nonnegative(), perSecond: z.number().nonnegative() }),
  timeline: z.array(
    z.object({
      t: z.number(),
      requests: z.number(),
      failed: z.number(),
      bytes: z.number(),
      p50: ms,
      p90: ms,
      p99: ms,
      max: ms,
    }),
  ),
  histogram: z
    .array(z.object({ leMs: z.number().nullable(), count: z.number().int() }))
    .describe(
      'Latency histogram: responses with latency <= leMs and above the previous bound; null is +Inf.',
    ),
  ops: z
    .object({
      source: z.string(),
      metrics: z.object({
        cpu: z.string().optional(),
        memory: z.string().optional(),
        eventLoop: z.string().optional(),
      }),
      samples: z.array(
        z.object({
          t: z.number(),
          cpuCores: z.number().optional(),
          memoryBytes: z.number().optional(),
          eventLoopP99Ms: z.number().optional(),
        }),
      ),
      failedScrapes: z.number().int(),
    })
    .optional(),
  thresholds: z.array(ThresholdResultSchema),
  comparison: ComparisonSchema.optional(),
  pass: z.boolean().describe('True when every threshold and the comparison passed (exit code 0).'),
})

export type LoadResult = z.infer<typeof LoadResultSchema>

/** The result document's JSON Schema (draft 2020-12), printed by `otelkit load --print-schema`. */
export function resultJsonSchema(): unknown {
  return z.toJSONSchema(LoadResultSchema, { io: 'output' })
}

export function buildResult(args: {
  name: string | undefined
  target: string
  plan: Plan
  recorder: Recorder
  durationMs: number
  ops: OpsData | undefined
  /** Names of the scenario's requests, in scenario order. */
  requestNames: string[]
}): LoadResult {
  const { recorder: r, plan } = args
  const seconds = Math.max(args.durationMs / 1000, 0.001)
  const at = (p: number) => (r.latency.totalCount > 0 ? r.latency.getValueAtPercentile(p) / 1000 : 0)
  const first = plan.steps[0]!
  const staged = plan.steps.length > 1 || first.stage !== 'main'
  return {
    schema: RESULT_SCHEMA_ID,
    ...(args.name ? { name: args.name } : {}),
    target: args.target,
    startedAt: r.startedAt.toISOString(),
    durationSeconds: Math.round(seconds * 1000) / 1000,
    options: {
      connections: first.connections,
      ...(!staged && first.rate !== undefined ? { rate: first.rate } : {}),
      ...(plan.amount !== undefined ? { amount: plan.amount } : {}),
      ...(staged ? { stages: plan.steps.map((s) => ({ ...s, rate: s.rate })) } : {}),
    },
    requests: {
      total: r.total,
      ok: r.responses - r.failedResponses,
      failed: r.failed,
      transportErrors: r.transportErrors,
      timeouts: r.timeouts,
      perSecond: r.total / seconds,
    },
    errorRate: r.total > 0 ? r.failed / r.total : 0,
    errorKinds: r.errorKinds,
    latencyMs: {
      min: r.latency.totalCount > 0 ? r.latency.minNonZeroValue / 1000 : 0,
      mean: r.latency.totalCount > 0 ? r.latency.mean / 1000 : 0,
      p50: at(50),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      p999: at(99.9),
      max: r.latency.maxValue / 1000,
    },
    statusCodes: r.statusCodes,
    byRequest: args.requestNames
      .filter((name) => r.byRequest.has(name))
      .map((name) => {
        const stats = r.byRequest.get(name)!
        const p = (q: number) => stats.latency.getValueAtPercentile(q) / 1000
        return {
          name,
          requests: stats.requests,
          failed: stats.failed,
          latencyMs: { p50: p(50), p90: p(90), p99: p(99), max: stats.latency.maxValue / 1000 },
        }
      }),
    bytes: { total: r.bytes, perSecond: r.bytes / seconds },
    timeline: r.timeline,
    histogram: trimHistogram(r.bins),
    ...(args.ops ? { ops: args.ops } : {}),
    thresholds: [],
    pass: true,
  }
}

function trimHistogram(bins: number[]): LoadResult['histogram'] {
  const firstIndex = bins.findIndex((c) => c > 0)
  if (firstIndex < 0) return []
  const lastIndex = bins.length - 1 - [...bins].reverse().findIndex((c) => c > 0)
  const out: LoadResult['histogram'] = []
  for (let i = firstIndex; i <= lastIndex; i++) {
    const bound = HISTOGRAM_BOUNDS_MS[i]!
    out.push({ leMs: Number.isFinite(bound) ? bound : null, count: bins[i]! })
  }
  return out
}
