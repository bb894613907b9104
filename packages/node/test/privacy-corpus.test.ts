/**
 * The privacy corpus: every secret-bearing input goes through the real preload in a child
 * process (Express 5, pg, mysql2, ioredis, node-redis, fetch and node:http clients, OTLP and
 * health-check URLs with credentials), and none of its secrets may appear in anything the process
 * exports, serves or prints: the OTLP bodies (traces and metrics; protobuf, then JSON, refused
 * requests included), /metrics, /debug/errors and /debug/queries (with the debug token), /readyz,
 * stdout and stderr. Each case also names evidence that its input was really recorded (the span,
 * the scrubbed message, the warning), so a case cannot pass by recording nothing.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from './support/eventually.js'
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js'
import { freePort, killAll, type RunningService, startService } from './support/service.js'

afterAll(() => killAll())

const run = randomBytes(3).toString('hex')
/** A secret recognisable anywhere: lower-case letters and dashes, unique to this run. */
const secret = (name: string) => `${name}-secret-${run}`

/** Secrets the fixture uses (read from CORPUS). */
const CORPUS = {
  pgLiteral: secret('pg-literal'),
  pgSlowLiteral: secret('pg-slow-literal'),
  mysqlLiteral: secret('mysql-literal'),
  evalArg: secret('eval-arg'),
  evalshaArg: secret('evalsha-arg'),
  fcallArg: secret('fcall-arg'),
  nodeRedisEvalArg: secret('node-redis-eval-arg'),
  setValue: secret('set-value'),
  hsetValue: secret('hset-value'),
  nodeRedisSetValue: secret('node-redis-set-value'),
  outboundToken: `k7Hq2mZp9VxR4tLw8NbC${run}`,
  outboundQuery: secret('outbound-query'),
}
const PATH_TOKEN = `Zt5rW2qPx8LmN3vB7cKd${run}`
const EMAIL = `corpus.user.${run}@example.com`
const JWT = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjb3JwdXMtJHtydW59In0.${run}Sig4Xk9`
const DEBUG_TOKEN = `debug-token-${randomBytes(12).toString('hex')}`

type Sinks = Record<string, string>

interface Case {
  name: string
  /** Values that must appear nowhere. */
  secrets: string[]
  /** Environment of the service that this case needs. */
  env?: (ctx: { receiverUrl: string; closedPort: number }) => Record<string, string>
  /** Requests made to the running service. */
  drive?: (service: RunningService) => Promise<void>
  /** [sink, text] pairs that must appear: proof the input was recorded. */
  evidence: [string, string][]
}

const CASES: Case[] = [
  {
    name: 'SQL literal in a slow pg query (slow-query log)',
    secrets: [CORPUS.pgSlowLiteral],
    env: () => ({ OTELKIT_SLOW_QUERY_MS: '100' }),
    drive: async (s) => expect((await s.get('/pg-slow')).status).toBe(200),
    evidence: [
      ['stderr', '"db.query.text":"SELECT ?::text AS note, pg_sleep(?)"'],
      ['/debug/queries', 'SELECT ?::text AS note, pg_sleep(?)'],
    ],
  },
  {
    name: 'SQL literal in a failing pg query',
    secrets: [CORPUS.pgLiteral],
    drive: async (s) => expect((await s.get('/pg-error')).status).toBe(500),
    evidence: [
      ['otlp:traces', 'invalid input syntax for type integer'],
      ['/debug/errors', 'invalid input syntax for type integer: \\"?\\"'],
      ['/debug/queries', 'SELECT ?::int'],
    ],
  },
  {
    name: 'SQL literal in a failing mysql2 query',
    secrets: [CORPUS.mysqlLiteral],
    drive: async (s) => expect((await s.get('/mysql-error')).status).toBe(500),
    evidence: [
      ['otlp:traces', 'You have an error in your SQL syntax'],
      ['/debug/errors', "near '?' at line ?"],
    ],
  },
  {
    name: 'Redis EVAL, EVALSHA and FCALL arguments (ioredis, node-redis)',
    secrets: [CORPUS.evalArg, CORPUS.evalshaArg, CORPUS.fcallArg, CORPUS.nodeRedisEvalArg],
    drive: async (s) => expect((await s.get('/redis-scripts')).status).toBe(200),
    evidence: [
      ['otlp:traces', 'EVAL ? ? ? ?'],
      ['otlp:traces', 'EVALSHA ? ? ? ?'],
      ['otlp:traces', 'FCALL ? ? ? ?'],
    ],
  },
  {
    name: 'Redis SET and HSET values (ioredis, node-redis)',
    secrets: [CORPUS.setValue, CORPUS.hsetValue, CORPUS.nodeRedisSetValue],
    drive: async (s) => expect((await s.get('/redis-values')).status).toBe(200),
    evidence: [
      ['otlp:traces', ':value ? ? ?'],
      ['otlp:traces', ':hash ? ?'],
    ],
  },
  {
    name: 'e-mail, JWT and token in URL paths (routed and unrouted)',
    secrets: [PATH_TOKEN, EMAIL, JWT, `${run}Sig4Xk9`],
    drive: async (s) => {
      expect((await s.get(`/reset/${PATH_TOKEN}`)).status).toBe(200)
      expect((await s.get(`/users/${encodeURIComponent(EMAIL)}/orders`)).status).toBe(200)
      expect((await s.get(`/users/${EMAIL}/orders`)).status).toBe(200)
      expect((await s.get(`/auth/${JWT}`)).status).toBe(200)
      expect((await s.get(`/unrouted/${PATH_TOKEN}`)).status).toBe(404)
    },
    evidence: [
      ['otlp:traces', '/reset/{token}'],
      ['otlp:traces', '/users/{email}/orders'],
      ['otlp:traces', '/auth/{jwt}'],
      ['otlp:traces', '/unrouted/{token}'],
    ],
  },
  {
    name: 'e-mail, token and secret in a query string',
    secrets: [EMAIL, PATH_TOKEN, secret('query')],
    drive: async (s) => {
      const query = `email=${encodeURIComponent(EMAIL)}&token=${PATH_TOKEN}&q=${secret('query')}`
      expect((await s.get(`/search?${query}`)).status).toBe(200)
    },
    evidence: [['otlp:traces', '/search']],
  },
  {
    name: 'token and query string in outgoing URLs (fetch, node:http)',
    secrets: [CORPUS.outboundToken, CORPUS.outboundQuery],
    drive: async (s) => expect((await s.get('/outbound')).status).toBe(200),
    evidence: [['otlp:traces', '/reset/{token}']],
  },
  {
    name: 'Authorization, Cookie and User-Agent headers',
    secrets: [secret('bearer'), secret('cookie'), secret('user-agent')],
    drive: async (s) => {
      const headers = {
        authorization: `Bearer ${secret('bearer')}`,
        cookie: `session=${secret('cookie')}`,
        'user-agent': `corpus-client/${secret('user-agent')}`,
      }
      expect((await s.get('/headers', { headers })).status).toBe(200)
    },
    evidence: [['otlp:traces', '/headers']],
  },
  {
    name: 'user:password in the OTLP endpoint (export-failure warnings)',
    secrets: [secret('otlp-user'), secret('otlp-password')],
    env: ({ receiverUrl }) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl.replace(
        'http://',
        `http://${secret('otlp-user')}:${secret('otlp-password')}@`,
      ),
    }),
    evidence: [
      ['stderr', 'trace export to http://127.0.0.1:'],
      ['stderr', 'metric export to http://127.0.0.1:'],
    ],
  },
  {
    name: 'user:password in health-check URLs',
    secrets: [secret('pg-check-password'), secret('api-user'), secret('api-password'), secret('ftp-user')],
    env: ({ closedPort }) => ({
      OTELKIT_HEALTH_CHECKS: [
        `db=postgres://postgres:${secret('pg-check-password')}@127.0.0.1:5432/test`,
        `api=http://${secret('api-user')}:${secret('api-password')}@127.0.0.1:${closedPort}/health`,
        `bad=ftp://${secret('ftp-user')}:pw@127.0.0.1/`,
      ].join(','),
      OTELKIT_HEALTH_INTERVAL: '200ms',
    }),
    evidence: [
      ['stderr', 'entry "bad=ftp://127.0.0.1/" skipped'],
      ['stderr', 'health check "api" is down'],
      ['/readyz', '"api"'],
    ],
  },
  {
    name: 'the debug token',
    secrets: [DEBUG_TOKEN],
    evidence: [['/debug/errors', '200 ']],
  },
  {
    name: 'a secret in OTEL_EXPORTER_OTLP_HEADERS with a malformed pair',
    secrets: [secret('otlp-header')],
    env: () => ({ OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${secret('otlp-header')},broken` }),
    evidence: [['stderr', 'invalid OTEL_EXPORTER_OTLP_HEADERS=<redacted>: entry 2 skipped']],
  },
]

async function text(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers })
  return `${res.status} ${await res.text()}`
}

/** Runs the whole corpus through one service and returns everything it let out. */
async function collect(protocol: 'http/protobuf' | 'http/json'): Promise<Sinks> {
  // The first trace and metric exports are refused (400, not retried): their failure warnings
  // name the endpoint, and their bodies are searched like the others.
  const seen = new Set<string>()
  const receiver: OtlpReceiver = await startOtlpReceiver({
    respond: (_n, path) => {
      if (seen.has(path)) return undefined
      seen.add(path)
      return { status: 400, body: 'refused by the corpus test' }
    },
  })
  const closedPort = await freePort()
  let env: Record<string, string> = {
    CORPUS: JSON.stringify(CORPUS),
    KEY_PREFIX: `otelkit-privacy-${run}:`,
    OTEL_SERVICE_NAME: 'privacy-corpus',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'prometheus,otlp',
    OTEL_METRIC_EXPORT_INTERVAL: '300',
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTELKIT_DEBUG_TOKEN: DEBUG_TOKEN,
  }
  for (const c of CASES) env = { ...env, ...c.env?.({ receiverUrl: receiver.url, closedPort }) }
  const service = await startService({ fixture: 'privacy-app.mjs', env })
  const ops = `http://127.0.0.1:${service.opsPort}`
  try {
    await service.get('/warmup')
    const refused = (path: string) => receiver.requests.some((r) => r.path === path && r.status === 400)
    await waitFor('the refused first exports', () => refused('/v1/traces') && refused('/v1/metrics'), {
      timeoutMs: 15_000,
    })
    for (const c of CASES) await c.drive?.(service)
    await service.get('/cleanup')
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'GET /cleanup'))
    const debug = { authorization: `Bearer ${DEBUG_TOKEN}` }
    const sinks: Sinks = {
      '/metrics': await text(`${ops}/metrics`),
      '/debug/errors': await text(`${ops}/debug/errors`, debug),
      '/debug/queries': await text(`${ops}/debug/queries`, debug),
      '/readyz': await text(`${ops}/readyz`),
    }
    await service.stop()
    const bodies = (path: string) =>
      receiver.requests
        .filter((r) => r.path === path)
        .map((r) => r.body.toString('utf8'))
        .join('\n')
    return {
      ...sinks,
      'otlp:traces': bodies('/v1/traces'),
      'otlp:metrics': bodies('/v1/metrics'),
      stdout: service.stdout(),
      stderr: service.stderr(),
    }
  } finally {
    await service.stop()
    await receiver.close()
  }
}

describe.each(['http/protobuf', 'http/json'] as const)('privacy corpus over OTLP %s', (protocol) => {
  let sinks: Sinks
  it('runs the corpus through the preload', { timeout: 60_000 }, async () => {
    sinks = await collect(protocol)
    expect(sinks['otlp:traces']?.length).toBeGreaterThan(0)
    expect(sinks['otlp:metrics']?.length).toBeGreaterThan(0)
    expect(sinks['/debug/errors']).toMatch(/^200 /)
  })

  it.each(CASES)('$name: no secret anywhere, the input recorded', ({ secrets, evidence }) => {
    expect(sinks, 'the corpus did not run').toBeDefined()
    const problems: string[] = []
    for (const value of secrets) {
      for (const [sink, content] of Object.entries(sinks)) {
        if (content.includes(value)) problems.push(`leaked: ${value} in ${sink}`)
      }
    }
    for (const [sink, text] of evidence) {
      if (!sinks[sink]?.includes(text)) problems.push(`not recorded: ${text} in ${sink}`)
    }
    expect(problems).toEqual([])
  })
})
