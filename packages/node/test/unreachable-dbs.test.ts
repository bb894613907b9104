/**
 * Database clients whose servers cannot run on this machine, through the real preload with the
 * real drivers pointed at a port where nothing listens: Cassandra (cassandra-driver) and SQL
 * Server (tedious). Their failed operations still produce client spans with normalised
 * statements (no literal leaves the process) and count in db.client.operation.duration with
 * their error type. Oracle (oracledb) makes no span before a connection exists, so it needs a
 * real server and is not covered here.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReceivedSpan } from './support/otlp-receiver.js'
import {
  exportTo,
  freePort,
  type RunningService,
  receiverForFile,
  seriesValue,
  startService,
} from './support/service.js'

const CLIENT = 3
const ERROR = 2

const receiver = receiverForFile()

const CLIENTS = [
  {
    route: '/cassandra',
    scope: '@opentelemetry/instrumentation-cassandra-driver',
    answer: 'NoHostAvailableError',
    system: 'cassandra',
    statement: 'SELECT release_version FROM system.local WHERE key = ?',
  },
  {
    route: '/tedious',
    scope: '@opentelemetry/instrumentation-tedious',
    answer: 'EINVALIDSTATE',
    system: 'microsoft.sql_server',
    statement: 'SELECT name FROM sys.databases WHERE name = ?',
  },
]

describe.each([
  { loader: 'import', preload: 'import' as const },
  { loader: 'require', preload: 'require' as const },
])('drivers loaded by $loader', ({ loader, preload }) => {
  const name = `unreachable-dbs-${loader}`
  const secret = `S3CR3T${randomBytes(4).toString('hex')}`
  let service: RunningService

  beforeAll(async () => {
    service = await startService({
      fixture: 'unreachable-db-app.mjs',
      preload,
      env: {
        LOADER: loader,
        SECRET: secret,
        DEAD_PORT: String(await freePort()),
        ...exportTo(receiver, name),
        OTELKIT_METRICS_CACHE: '0',
      },
    })
  }, 60_000)
  afterAll(async () => {
    await service?.stop()
  })

  it.each(CLIENTS)(
    '$route: a failed client span with a normalised statement, counted with its error type',
    async ({ route, scope, answer, system, statement }) => {
      const res = await service.get(route)
      expect(await res.text()).toBe(answer)
      const textOf = (span: ReceivedSpan) =>
        span.attributes['db.query.text'] ?? span.attributes['db.statement']
      // The statement's span (cassandra-driver also makes one for the failed connect).
      const query = () =>
        receiver.spans.find((s) => s.service === name && s.scope === scope && textOf(s) !== undefined)
      await receiver.waitFor(() => query() !== undefined, 20_000)
      const span = query() as ReceivedSpan
      expect(span.kind).toBe(CLIENT)
      expect(span.statusCode).toBe(ERROR)
      expect(textOf(span)).toBe(statement)
      expect(JSON.stringify(receiver.spans.filter((s) => s.service === name))).not.toContain(secret)
      const metrics = await service.metrics()
      expect(
        seriesValue(metrics, 'db_client_operation_duration_seconds_count', [
          `db_system_name="${system}"`,
          'db_operation_name="SELECT"',
          'error_type="',
        ]),
        metrics,
      ).toBe(1)
      expect(metrics).not.toContain(secret)
    },
    30_000,
  )
})
