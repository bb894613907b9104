/** `otelkit doctor`: check a running service through its ops server and say what is wrong. */
import { setTimeout as sleep } from 'node:timers/promises'
import { parse } from '../args.js'
import { exporterFindings, type Finding, healthFindings, instrumentationFindings } from '../doctor/checks.js'
import { CliError, EXIT, usageError } from '../errors.js'
import { opsFetch } from '../ops/fetch.js'
import { parsePrometheusText, type Sample } from '../ops/prometheus.js'
import { parseDurationMs } from '../units.js'

export const DOCTOR_HELP = `Usage: otelkit doctor <ops-url> [options]

Checks a running service through its ops server (default port 9464): the server is reachable,
/metrics parses, which instrumentations are active, whether the exporter is failing (telemetry
dropped with reason export_failed), and the health checks from /readyz. Prints each problem
with a hint to fix it.

Options:
  -T, --token <token>   debug token, if the service sets one   default $OTELKIT_DEBUG_TOKEN
      --wait <time>     time between the two /metrics scrapes used to see counters grow  default 2s
      --json            print the findings as JSON
  -h, --help            this help

Exit codes: 0 no problem (warnings allowed), 1 a problem found, 2 ops server unreachable or usage error.`

const OPTIONS = {
  token: { type: 'string', short: 'T' },
  wait: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

async function scrape(
  base: string,
  token: string | undefined,
): Promise<{ samples: Sample[]; malformed: number; status: number }> {
  const res = await opsFetch(base, '/metrics', { token })
  if (!res.ok) return { samples: [], malformed: 0, status: res.status }
  return { ...parsePrometheusText(await res.text()), status: res.status }
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'doctor')
  if (values.help) {
    process.stdout.write(`${DOCTOR_HELP}\n`)
    return EXIT.ok
  }
  const base = positionals[0]
  if (!base || positionals.length > 1)
    throw usageError('doctor: give the ops server URL, e.g. otelkit doctor http://127.0.0.1:9464')
  const token = values.token || process.env.OTELKIT_DEBUG_TOKEN || undefined
  const waitMs = parseDurationMs(values.wait ?? '2s', '--wait')
  const findings: Finding[] = []

  let first: Awaited<ReturnType<typeof scrape>>
  try {
    first = await scrape(base, token)
  } catch (error) {
    if (!(error instanceof CliError)) throw error
    findings.push({
      level: 'problem',
      check: 'ops server',
      message: error.message,
      fix: 'is the service running with --import @otelkit/node/register, and is OTELKIT_OPS_PORT/OTELKIT_OPS_HOST what you query?',
    })
    return report(findings, values.json === true, EXIT.error)
  }
  findings.push({ level: 'ok', check: 'ops server', message: `reachable at ${base}` })
  if (first.status !== 200) {
    findings.push({
      level: 'problem',
      check: 'metrics',
      message: `/metrics answered ${first.status}`,
      fix: 'OTEL_METRICS_EXPORTER must include prometheus for /metrics to be served',
    })
  } else if (first.samples.length === 0) {
    findings.push({
      level: 'problem',
      check: 'metrics',
      message: '/metrics has no samples',
      fix: 'check OTEL_METRICS_EXPORTER and the service log for [otelkit] warnings',
    })
  } else {
    findings.push({
      level: first.malformed ? 'warn' : 'ok',
      check: 'metrics',
      message: `${first.samples.length} samples, ${new Set(first.samples.map((s) => s.name)).size} series names${first.malformed ? `, ${first.malformed} malformed lines` : ''}`,
    })
  }
  await sleep(waitMs)
  const second = first.status === 200 ? await scrape(base, token).catch(() => first) : first
  findings.push(...instrumentationFindings(second.samples))

  let readyStatus: number | undefined
  let readyBody: string | undefined
  try {
    const res = await opsFetch(base, '/readyz', { token })
    if (res.status !== 404) {
      readyStatus = res.status
      readyBody = await res.text()
    }
  } catch {
    readyStatus = undefined
  }
  findings.push(...exporterFindings(first.samples, second.samples, readyBody))
  findings.push(...healthFindings(readyStatus, readyBody, second.samples))
  return report(
    findings,
    values.json === true,
    findings.some((f) => f.level === 'problem') ? EXIT.checkFailed : EXIT.ok,
  )
}

function report(findings: Finding[], json: boolean, code: number): number {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: code === EXIT.ok, findings }, null, 2)}\n`)
    return code
  }
  const label = { ok: 'ok  ', warn: 'warn', problem: 'FAIL' } as const
  for (const f of findings) {
    process.stdout.write(`${label[f.level]} ${f.check}: ${f.message}\n`)
    if (f.fix && f.level !== 'ok') process.stdout.write(`     fix: ${f.fix}\n`)
  }
  const problems = findings.filter((f) => f.level === 'problem').length
  process.stdout.write(
    problems ? `${problems} problem${problems > 1 ? 's' : ''} found\n` : 'no problems found\n',
  )
  return code
}
