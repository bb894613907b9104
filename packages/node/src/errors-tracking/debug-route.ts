/**
 * `/debug/errors` on the ops server (a debug route: only with the debug token): the error
 * groups as JSON, most recently seen first. `?limit=N` returns the first N groups (default all);
 * `?category=server` keeps one category.
 */
import type { OpsHandler } from '../ops/routes.js'
import type { ErrorGroups } from './groups.js'

export interface ErrorsDebugBody {
  /** Groups held now. */
  totalGroups: number
  /** Most groups kept (`maxGroups`). */
  maxGroups: number
  /** Groups evicted since start to stay within `maxGroups`. */
  evictedGroups: number
  groups: ReturnType<ErrorGroups['list']>
}

export function errorsDebugHandler(groups: ErrorGroups, maxGroups: number): OpsHandler {
  return (_req, res, url) => {
    let list = groups.list()
    const category = url.searchParams.get('category')
    if (category) list = list.filter((g) => g.category === category)
    const limit = Number(url.searchParams.get('limit'))
    if (Number.isInteger(limit) && limit > 0) list = list.slice(0, limit)
    const body: ErrorsDebugBody = {
      totalGroups: groups.size,
      maxGroups,
      evictedGroups: groups.evictedCount,
      groups: list,
    }
    res
      .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
      .end(`${JSON.stringify(body, null, 2)}\n`)
  }
}
