/**
 * PostgreSQL check: `SELECT 1` through the application's pg Pool or Client, or, for a URL,
 * through a pool of one connection of its own (pg loaded lazily from the application). The
 * connection is kept between runs for at most 10 s idle, so frequent probes do not fork a server
 * backend each time, and it never keeps the process alive (`allowExitOnIdle`). A run cut by its
 * timeout destroys its connection; `close()` ends the pool (a later run opens a new one).
 */
import { loadDriver } from '../drivers.js'
import type { HealthCheck } from '../types.js'

/** Anything with pg's `query(text)`: a `pg.Pool`, a `pg.Client` or a compatible client. */
export interface PgQueryable {
  query(text: string): Promise<unknown>
}

/** Options of `health.checks.postgres()`. */
export interface PostgresCheckOptions {
  /** Statement to run. @default 'SELECT 1' */
  query?: string
}

/** How long the URL check keeps its idle connection. */
export const POSTGRES_IDLE_MS = 10_000
/** A connection attempt that hangs (unreachable host) is abandoned after this, so the check is retried. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5000

interface PgPoolClient {
  query(text: string): Promise<unknown>
  release(destroy?: boolean | Error): void
}

interface PgPool {
  connect(): Promise<PgPoolClient>
  end(): Promise<void>
  on(event: 'error', listener: (error: Error) => void): void
}

interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool
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
  let pool: PgPool | undefined
  const check: HealthCheck = async (signal) => {
    if (!pool) {
      const pg = loadDriver<PgModule>('pg', 'postgres')
      pool = new pg.Pool({
        connectionString,
        max: 1,
        idleTimeoutMillis: POSTGRES_IDLE_MS,
        connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
        allowExitOnIdle: true,
        application_name: 'otelkit-health',
      })
      pool.on('error', () => {})
    }
    const client = await pool.connect()
    if (signal.aborted) {
      client.release(true)
      throw signal.reason
    }
    let released = false
    const release = (destroy: boolean) => {
      if (released) return
      released = true
      client.release(destroy)
    }
    const onAbort = () => release(true)
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      await client.query(statement)
      release(false)
    } catch (error) {
      release(true)
      throw error
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }
  check.close = async () => {
    const ending = pool
    pool = undefined
    await ending?.end().catch(() => {})
  }
  return check
}
