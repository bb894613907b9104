/** Turns an ops server's refusal (401, 404, 409, 5xx) into one clear error line with a hint. */
import { CliError } from '../errors.js'

export async function statusError(res: Response, sentToken: boolean): Promise<CliError> {
  const body = (await res.text().catch(() => '')).trim().split('\n')[0]?.slice(0, 200) ?? ''
  const hints: Record<number, string> = {
    401: sentToken
      ? "the debug token was rejected: it must equal the service's OTELKIT_DEBUG_TOKEN"
      : 'a debug token is required: pass --token or set OTELKIT_DEBUG_TOKEN',
    404: 'not found: debug endpoints are off unless the service sets OTELKIT_DEBUG_TOKEN (and profiling is installed)',
    409: 'another profile is in progress on this service; retry when it has finished',
    400: `bad request: ${body}`,
  }
  const hint = hints[res.status] ?? `unexpected answer${body ? `: ${body}` : ''}`
  return new CliError('OTELKIT_CLI_HTTP_STATUS', `${res.url} answered ${res.status}: ${hint}`)
}
