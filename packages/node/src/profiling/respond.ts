/** Small response helpers shared by the profiling routes. */
import type { ServerResponse } from 'node:http'

export function sendText(res: ServerResponse, status: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    .end(`${message}\n`)
}

export function sendProfile(
  res: ServerResponse,
  body: Buffer,
  filename: string,
  meta: Record<string, string>,
): void {
  res
    .writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
      'content-length': body.length,
      ...Object.fromEntries(Object.entries(meta).map(([k, v]) => [`x-otelkit-${k}`, v])),
    })
    .end(body)
}

/** `seconds` query parameter: absent -> fallback; not a positive integer -> undefined (400). */
export function secondsParam(url: URL, fallback: number): number | undefined {
  const raw = url.searchParams.get('seconds')
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  return Number.isInteger(n) && n > 0 ? n : undefined
}
