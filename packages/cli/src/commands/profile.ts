/** `otelkit profile`: fetch a CPU or heap profile (gzipped pprof) from a service's ops server. */
import { writeFile } from 'node:fs/promises'
import { parse } from '../args.js'
import { CliError, EXIT, usageError } from '../errors.js'
import { opsFetch } from '../ops/fetch.js'
import { statusError } from '../ops/status.js'
import { formatBytes } from '../units.js'

export const PROFILE_HELP = `Usage: otelkit profile <ops-url> [options]

Fetches a profile from a service's ops server (default port 9464) in pprof format (gzipped
protobuf), for "go tool pprof", speedscope or any pprof viewer. The service must run with
OTELKIT_DEBUG_TOKEN set; send the same token.

Options:
  -s, --seconds <n>     CPU profile length in seconds (the service caps it)  default 10
      --heap            fetch the sampling heap profile instead of a CPU profile
  -T, --token <token>   debug token                                          default $OTELKIT_DEBUG_TOKEN
  -o, --output <file>   where to write it                  default cpu-<time>.pb.gz or heap-<time>.pb.gz
  -h, --help            this help

Exit codes: 0 written, 2 unreachable, refused (401 token, 404 endpoints off, 409 busy) or usage error.`

const OPTIONS = {
  seconds: { type: 'string', short: 's' },
  heap: { type: 'boolean' },
  token: { type: 'string', short: 'T' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const

export async function profileCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'profile')
  if (values.help) {
    process.stdout.write(`${PROFILE_HELP}\n`)
    return EXIT.ok
  }
  const base = positionals[0]
  if (!base || positionals.length > 1)
    throw usageError('profile: give the ops server URL, e.g. otelkit profile http://127.0.0.1:9464')
  const seconds = values.seconds === undefined ? 10 : Number(values.seconds)
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw usageError(`--seconds must be a positive integer, got ${JSON.stringify(values.seconds)}`)
  const token = values.token || process.env.OTELKIT_DEBUG_TOKEN || undefined
  const kind = values.heap ? 'heap' : 'cpu'
  const path = values.heap ? '/debug/pprof/heap' : `/debug/pprof/profile?seconds=${seconds}`
  const output = values.output ?? `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.pb.gz`
  if (kind === 'cpu' && process.stderr.isTTY) process.stderr.write(`profiling CPU for ${seconds}s...\n`)
  const res = await opsFetch(base, path, { token, timeoutMs: (kind === 'cpu' ? seconds * 1000 : 0) + 60_000 })
  if (!res.ok) throw await statusError(res, token !== undefined)
  const body = Buffer.from(await res.arrayBuffer())
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) {
    throw new CliError(
      'OTELKIT_CLI_HTTP_STATUS',
      `${res.url} did not return a gzipped pprof profile (content-type ${res.headers.get('content-type')})`,
    )
  }
  await writeFile(output, body)
  const meta = ['x-otelkit-service', 'x-otelkit-profile-start', 'x-otelkit-profile-duration-ms']
    .map((h) => res.headers.get(h))
    .filter(Boolean)
  process.stdout.write(
    `wrote ${kind} profile ${output} (${formatBytes(body.length)}${meta.length ? `; ${meta.join(', ')}` : ''})\n`,
  )
  return EXIT.ok
}
