/** HTTP GETs against an ops server with a timeout, an optional bearer token and one-line errors. */
import { CliError } from '../errors.js'

export interface OpsFetchOptions {
  token?: string | undefined
  timeoutMs?: number
}

export function opsUrl(base: string, path: string): string {
  let url: URL
  try {
    url = new URL(base)
  } catch {
    throw new CliError(
      'OTELKIT_CLI_USAGE',
      `not a URL: ${JSON.stringify(base)} (expected e.g. http://127.0.0.1:9464)`,
    )
  }
  return new URL(path, url).href
}

export async function opsFetch(base: string, path: string, options: OpsFetchOptions = {}): Promise<Response> {
  const url = opsUrl(base, path)
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  try {
    return await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 5000) })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const reason = cause?.code ?? cause?.message ?? (error as Error).message
    throw new CliError('OTELKIT_CLI_TARGET_UNREACHABLE', `cannot reach ${url}: ${reason}`, { cause: error })
  }
}
