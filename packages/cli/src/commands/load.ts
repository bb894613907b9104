/** `otelkit load`: run a load test against a URL or a scenario, check thresholds, write reports. */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { parse } from '../args.js'
import { EXIT, usageError } from '../errors.js'
import { compareResults, readBaseline } from '../load/compare.js'
import { buildPlan, DEFAULT_TIMEOUT } from '../load/plan.js'
import { progressEnabled, startProgress } from '../load/progress.js'
import { Recorder } from '../load/recorder.js'
import { createRequestPicker } from '../load/requests.js'
import { buildResult, type LoadResult, resultJsonSchema } from '../load/result.js'
import { runPlan } from '../load/runner.js'
import { loadScenarioFile, parseScenario, type Scenario } from '../load/scenario.js'
import { formatSummary } from '../load/summary.js'
import { evaluateThresholds, parseThreshold } from '../load/thresholds.js'
import { OpsSampler } from '../ops/sampler.js'
import { renderHtmlReport } from '../report/html.js'
import { parseDurationMs, parsePercent, parsePositiveInt, parseRunLengthMs } from '../units.js'

export const LOAD_HELP = `Usage: otelkit load <url | scenario.json | scenario.ts> [url] [options]

Runs a load test with autocannon. A URL alone sends GET requests to it; a scenario file gives
weighted requests, parameters, stages and thresholds (flags override the scenario's values).

Options:
  -c, --connections <n>      concurrent connections (closed loop)             default 10
  -d, --duration <time>      run length, e.g. 30s, 2m                          default 10s
  -n, --amount <n>           stop after n requests instead of a duration
  -r, --rate <n>             target rate in req/s over all connections (open model)
  -m, --method <method>      method for a URL target                           default GET
  -H, --header <k: v>        header for every request (repeatable)
  -b, --body <text>          body for a URL target
      --timeout <time>       response timeout                                  default 10s
  -t, --threshold <expr>     pass/fail check, e.g. p99<250ms, errors<1%, rps>500 (repeatable)
      --json                 print the result as JSON on stdout instead of the summary
  -o, --out <file>           write the result JSON to a file
      --html <file>          write the self-contained HTML report
      --compare <file>       compare with a previous result JSON
      --max-regression <p>   fail when a gated figure is worse by more than p, e.g. 10%
      --ops <url>            sample the target's ops server /metrics (CPU, memory, event loop)
      --ops-interval <time>  sampling interval for --ops                        default 1s
      --name <name>          name shown in the report
      --no-progress          no live progress line (it only shows on a TTY outside CI anyway)
      --print-schema         print the JSON Schema of the result document and exit
  -h, --help                 this help

Exit codes: 0 pass, 1 a threshold failed or a regression exceeded --max-regression, 2 usage or run error.`

const OPTIONS = {
  connections: { type: 'string', short: 'c' },
  duration: { type: 'string', short: 'd' },
  amount: { type: 'string', short: 'n' },
  rate: { type: 'string', short: 'r' },
  method: { type: 'string', short: 'm' },
  header: { type: 'string', short: 'H', multiple: true },
  body: { type: 'string', short: 'b' },
  timeout: { type: 'string' },
  threshold: { type: 'string', short: 't', multiple: true },
  json: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  html: { type: 'string' },
  compare: { type: 'string' },
  'max-regression': { type: 'string' },
  ops: { type: 'string' },
  'ops-interval': { type: 'string' },
  name: { type: 'string' },
  'no-progress': { type: 'boolean' },
  'print-schema': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value)
}

function parseHeaders(values: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const h of values ?? []) {
    const index = h.indexOf(':')
    if (index <= 0) throw usageError(`load: header ${JSON.stringify(h)} is not of the form "name: value"`)
    headers[h.slice(0, index).trim()] = h.slice(index + 1).trim()
  }
  return headers
}

async function writeOut(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, content)
}

export async function loadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'load')
  if (values.help) {
    process.stdout.write(`${LOAD_HELP}\n`)
    return EXIT.ok
  }
  if (values['print-schema']) {
    process.stdout.write(`${JSON.stringify(resultJsonSchema(), null, 2)}\n`)
    return EXIT.ok
  }
  const urlArg = positionals.find(isUrl)
  const fileArg = positionals.find((p) => !isUrl(p))
  if (positionals.length > 2 || (!urlArg && !fileArg))
    throw usageError('load: give a URL or a scenario file (see otelkit load --help)')

  let scenario: Scenario
  if (fileArg) scenario = await loadScenarioFile(fileArg)
  else {
    const url = new URL(urlArg!)
    scenario = parseScenario(
      {
        requests: [
          {
            method: values.method ?? 'GET',
            path: `${url.pathname}${url.search}`,
            ...(values.body !== undefined ? { body: values.body } : {}),
          },
        ],
      },
      'command line',
    )
  }
  const target = urlArg ?? scenario.target
  if (!target) throw usageError('load: the scenario has no "target"; give the base URL on the command line')
  let base: URL
  try {
    base = new URL(target)
  } catch {
    throw usageError(`load: not a URL: ${JSON.stringify(target)}`)
  }
  scenario.headers = { ...scenario.headers, ...parseHeaders(values.header) }
  const connections = parsePositiveInt(values.connections, '--connections')
  if (connections !== undefined) scenario.connections = connections
  const amount = parsePositiveInt(values.amount, '--amount')
  if (values.duration !== undefined || amount !== undefined) {
    if (scenario.stages)
      throw usageError('load: --duration and --amount do not combine with a scenario with stages')
    if (values.duration !== undefined) {
      parseRunLengthMs(values.duration, '--duration')
      scenario.duration = values.duration
      delete scenario.amount
    }
    if (amount !== undefined) scenario.amount = amount
  }
  if (values.rate !== undefined) {
    const rate = Number(values.rate)
    if (!(rate > 0)) throw usageError(`--rate must be a positive number, got ${JSON.stringify(values.rate)}`)
    if (scenario.stages)
      throw usageError('load: --rate does not combine with a scenario with stages (set stage targets)')
    scenario.rate = rate
  }
  const thresholds = [...(scenario.thresholds ?? []), ...(values.threshold ?? [])].map(parseThreshold)
  const maxRegression =
    values['max-regression'] !== undefined
      ? parsePercent(values['max-regression'], '--max-regression')
      : undefined
  const timeoutMs =
    values.timeout !== undefined
      ? parseDurationMs(values.timeout, '--timeout')
      : parseDurationMs(scenario.timeout ?? DEFAULT_TIMEOUT, 'timeout')
  if (timeoutMs <= 0) throw usageError('timeout must be greater than 0')
  const timeoutSeconds = timeoutMs / 1000
  const baseline = values.compare ? await readBaseline(values.compare) : undefined
  const plan = buildPlan(scenario)

  const recorder = new Recorder()
  const picker = createRequestPicker(scenario)
  const sampler = values.ops
    ? new OpsSampler(
        values.ops,
        () => recorder.elapsedMs(),
        parseDurationMs(values['ops-interval'] ?? '1s', '--ops-interval'),
      )
    : undefined
  const abort = new AbortController()
  const onSignal = () => abort.abort()
  process.once('SIGINT', onSignal)
  const progress = !values['no-progress'] && progressEnabled() ? startProgress(recorder) : undefined
  sampler?.start()
  try {
    await runPlan({
      url: base.origin,
      plan,
      picker,
      recorder,
      timeoutSeconds,
      signal: abort.signal,
      onStep: (step) => progress?.setStage(step.stage === 'main' ? '' : step.stage),
    })
  } finally {
    process.off('SIGINT', onSignal)
    progress?.stop()
  }
  const durationMs = recorder.elapsedMs()
  recorder.finish()
  const ops = sampler ? await sampler.stop() : undefined
  const result: LoadResult = buildResult({
    name: values.name ?? scenario.name,
    target: base.origin,
    plan,
    recorder,
    durationMs,
    ops,
    requestNames: [...new Set(picker.names)],
  })
  result.thresholds = evaluateThresholds(thresholds, result)
  if (baseline) result.comparison = compareResults(baseline, result, values.compare!, maxRegression)
  result.pass = result.thresholds.every((t) => t.pass) && (result.comparison?.pass ?? true)

  if (values.out) await writeOut(values.out, `${JSON.stringify(result, null, 2)}\n`)
  if (values.html) await writeOut(values.html, renderHtmlReport(result))
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatSummary(result)}\n`)
  return result.pass ? EXIT.ok : EXIT.checkFailed
}
