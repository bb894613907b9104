/**
 * MySQL / MariaDB check: `SELECT 1` through the application's mysql2 pool or connection
 * (callback or promise API), or through a short-lived connection to a URL (mysql2 loaded
 * lazily from the application).
 */
import { loadDriver } from '../drivers.js'
import type { HealthCheck } from '../types.js'
import { ConnectionSet } from './connections.js'

/** A mysql2 Pool/Connection, callback (`.promise()` present) or promise API. */
export interface MysqlQueryable {
  query(sql: string, ...rest: unknown[]): unknown
  promise?: () => { query(sql: string): Promise<unknown> }
}

/** Options of `health.checks.mysql()`. */
export interface MysqlCheckOptions {
  /** Statement to run. @default 'SELECT 1' */
  query?: string
}

interface MysqlConnection {
  query(sql: string, callback: (error: Error | null) => void): void
  on(event: 'error', listener: (error: Error) => void): void
  destroy(): void
  end(callback?: (error?: Error) => void): void
}

interface Mysql2Module {
  createConnection(config: Record<string, unknown>): MysqlConnection
}

export function mysql(target: MysqlQueryable | string | URL, options: MysqlCheckOptions = {}): HealthCheck {
  const statement = options.query ?? 'SELECT 1'
  if (typeof target !== 'string' && !(target instanceof URL)) {
    if (typeof target?.query !== 'function')
      throw new TypeError('mysql check needs a mysql2 Pool, Connection or URL')
    const promiseApi = typeof target.promise === 'function' ? target.promise() : target
    return async () => {
      await (promiseApi.query as (sql: string) => Promise<unknown>).call(promiseApi, statement)
    }
  }
  const uri = String(target).replace(/^mariadb:/, 'mysql:')
  const connections = new ConnectionSet()
  const check: HealthCheck = async (signal) => {
    const mysql2 = loadDriver<Mysql2Module>('mysql2', 'mysql')
    const conn = mysql2.createConnection({ uri })
    conn.on('error', () => {})
    await connections.use(signal, { close: () => conn.destroy() }, async () => {
      await new Promise<void>((resolve, reject) =>
        conn.query(statement, (error) => (error ? reject(error) : resolve())),
      )
      await new Promise<void>((resolve) => conn.end(() => resolve()))
    })
  }
  check.close = () => connections.closeAll()
  return check
}
