/**
 * The scenario format: weighted requests with parameters, stages, connections, rate and
 * thresholds. A scenario is a JSON file or a TypeScript/JavaScript module whose default export
 * is the scenario object (TypeScript is loaded by Node's own type stripping).
 */
import { readFile } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { z } from 'zod'
import { CliError } from '../errors.js'

const duration = z.union([z.number().nonnegative(), z.string().min(1)])

/** A parameter: a list of values drawn uniformly, or an inclusive integer range. */
export const ParamSchema = z.union([
  z.array(z.union([z.string(), z.number()])).min(1),
  z.object({ list: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.object({ range: z.tuple([z.number().int(), z.number().int()]) }),
])

export const ScenarioRequestSchema = z.object({
  /** Name shown in the report. @default `${method} ${path}` */
  name: z.string().optional(),
  /** Relative weight among the scenario's requests. @default 1 */
  weight: z.number().positive().default(1),
  /** @default 'GET' */
  method: z.string().default('GET'),
  /** Path with `{param}` placeholders, e.g. `/products/{id}`. */
  path: z.string().startsWith('/'),
  headers: z.record(z.string(), z.string()).optional(),
  /** A string, or an object sent as JSON; `{param}` placeholders are filled in either. */
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  /** Values for the placeholders of this request. */
  params: z.record(z.string(), ParamSchema).optional(),
})

export const StageSchema = z.object({
  name: z.string().optional(),
  /** How long the stage runs: seconds or `30s`, `2m`. */
  duration,
  /** Request rate (req/s) reached at the end of the stage, ramping linearly from the previous stage's. */
  target: z.number().nonnegative().optional(),
  /** Connections during the stage. @default the scenario's `connections` */
  connections: z.number().int().positive().optional(),
})

export const ScenarioSchema = z
  .object({
    name: z.string().optional(),
    /** Base URL; the command line's URL overrides it. */
    target: z.string().url().optional(),
    requests: z.array(ScenarioRequestSchema).min(1),
    /** Headers sent with every request. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Global parameters, shared by every request. */
    params: z.record(z.string(), ParamSchema).optional(),
    /** Closed-loop concurrency. @default 10 */
    connections: z.number().int().positive().optional(),
    /** Run length without stages. @default '10s' */
    duration: duration.optional(),
    /** Stop after this many requests (instead of a duration). */
    amount: z.number().int().positive().optional(),
    /** Open-model target rate (req/s) without stages. */
    rate: z.number().positive().optional(),
    /** Rate at the start of the first stage. @default 0 */
    startRate: z.number().nonnegative().optional(),
    stages: z.array(StageSchema).min(1).optional(),
    /** Threshold expressions, e.g. `p99<250ms`. */
    thresholds: z.array(z.string()).optional(),
    /** How long to wait for a response (`10s`; a bare number is milliseconds). @default '10s' */
    timeout: duration.optional(),
  })
  .strict()

export type Scenario = z.infer<typeof ScenarioSchema>
export type ScenarioInput = z.input<typeof ScenarioSchema>
export type ScenarioRequest = z.infer<typeof ScenarioRequestSchema>
export type Param = z.infer<typeof ParamSchema>
export type Stage = z.infer<typeof StageSchema>

/** Identity helper giving a TypeScript scenario file its types. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario
}

export function parseScenario(value: unknown, source: string): Scenario {
  const parsed = ScenarioSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : '(root)'
    throw new CliError(
      'OTELKIT_CLI_SCENARIO_INVALID',
      `scenario ${source}: ${where}: ${issue?.message ?? 'invalid'}`,
    )
  }
  return parsed.data
}

/** Reads a scenario from a JSON file or a .ts/.mts/.js/.mjs module's default export. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  const path = resolve(file)
  const ext = extname(path)
  let raw: unknown
  try {
    if (ext === '.json') {
      raw = JSON.parse(await readFile(path, 'utf8'))
    } else if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
      const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; scenario?: unknown }
      raw = mod.default ?? mod.scenario
    } else {
      throw new CliError(
        'OTELKIT_CLI_SCENARIO_INVALID',
        `scenario ${file}: unsupported extension ${ext || '(none)'}; use .json or .ts`,
      )
    }
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(
      'OTELKIT_CLI_SCENARIO_INVALID',
      `scenario ${file}: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
      },
    )
  }
  return parseScenario(raw, file)
}
