/**
 * `/debug/heapsnapshot` (only with `heapSnapshot` on): a full V8 heap snapshot for Chrome
 * DevTools. Writing it pauses the process and can take as much memory as the heap, so it is
 * off by default and one at a time.
 */
import { pipeline } from 'node:stream/promises'
import type { OpsHandler } from '../ops/routes.js'
import { sendText } from './respond.js'

export function heapSnapshotHandler(serviceName: string): OpsHandler {
  let busy = false
  return async (_req, res) => {
    if (busy) {
      sendText(res, 409, 'a heap snapshot is already being written')
      return
    }
    busy = true
    try {
      const taken = new Date().toISOString()
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-disposition': `attachment; filename="${serviceName}-${taken.replace(/[:.]/g, '-')}.heapsnapshot"`,
        'cache-control': 'no-store',
        'x-otelkit-service': serviceName,
        'x-otelkit-profile-start': taken,
      })
      await pipeline(process.getBuiltinModule('node:v8').getHeapSnapshot(), res)
    } finally {
      busy = false
    }
  }
}
