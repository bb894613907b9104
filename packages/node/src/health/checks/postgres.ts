/**
 * PostgreSQL check: `SELECT 1` through the application's pg Pool or Client, or through a
 * short-lived connection to a URL (pg loaded lazily from the application).
 */
import { loadDriver } from '../drivers.js'
import type { HealthCheck } from '../types.js'
import { ConnectionSet } from './connections.js'

/** Anything with pg's `query(text)`: a `pg.Pool`, a `pg.Client` or a compatible client. */
export interface PgQueryable {
  query(text: string): Promise<unknown>
}

/** Options of `health.checks.postgres()`. */
export interface PostgresCheckOptions {
  /** Statement to run. @default 'SELECT 1' */
  query?: string
}

interface PgClient {
  connect(): Promise<void>
  query(text: string): Promise<unknown>
  end(): Promise<void>
  on(event: 'error', listener: (error: Error) => void): void
}

interface PgModule {
  Client: new (config: Record<string, unknown>) => PgClient
}

export function postgres(
  target: PgQueryable | string | URL,
  options: PostgresCheckOptions = {},
): HealthCheck {
  const statement = options.query ?? 'SELECT 1'
  if (typeof target !== 'string' && !(target instanceof URL)) {
    if (typeof target?.query !== 'function')
      throw new TypeError('postgres check needs a pg Pool, Client or URL')
    return async () => {
      await target.query(statement)
    }
  }
  const connectionString = String(target)
  const connections = new ConnectionSet()
  const check: HealthCheck = async (signal) => {
    const pg = loadDriver<PgModule>('pg', 'postgres')
    const client = new pg.Client({ connectionString, application_name: 'otelkit-health' })
    client.on('error', () => {})
    await connections.use(signal, { close: () => void client.end().catch(() => {}) }, async () => {
      await client.connect()
      await client.query(statement)
    })
  }
  check.close = () => connections.closeAll()
  return check
}
