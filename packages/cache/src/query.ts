/**
 * Database result caching: the key is a hash of the SQL text and its parameters, the value the
 * result rows; writes invalidate by tag (`cache.invalidateTags(['products'])`).
 */
import { createHash } from 'node:crypto'
import type { Cache } from './cache.js'
import type { GetOrSetOptions } from './options.js'
import { jsonEncode } from './serializer.js'

/** Options of cache.query(): getOrSet options plus an explicit key. */
export interface QueryOptions extends GetOrSetOptions {
  /** Cache key to use instead of the hash of the SQL and parameters. @default `query:<sha1(sql, params)>` */
  key?: string
}

/** What cache.query() resolves to: the rows and their count. */
export interface QueryResultLike<Row> {
  rows: Row[]
  rowCount: number
}

/** The cache key of a query: `query:` and a SHA-1 of the SQL and JSON-encoded parameters. */
export function queryKey(sql: string, params: readonly unknown[]): string {
  return `query:${createHash('sha1').update(sql).update('\u0000').update(jsonEncode(params).text).digest('base64url')}`
}

export function runCachedQuery<Row>(
  cache: Cache,
  client: { query: (sql: string, params?: unknown[]) => Promise<unknown> },
  sql: string,
  params: readonly unknown[],
  options?: QueryOptions,
): Promise<QueryResultLike<Row>> {
  const key = options?.key ?? queryKey(sql, params)
  return cache.getOrSet(
    key,
    async () => {
      const result = await client.query(sql, params as unknown[])
      const rows = (Array.isArray(result) ? result[0] : (result as { rows: Row[] }).rows) as Row[]
      return { rows, rowCount: Array.isArray(rows) ? rows.length : 0 }
    },
    options,
  )
}
