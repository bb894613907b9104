/** Settings of what request data spans may carry. */
import { URL_REDACTIONS } from '../../privacy/url.js'
import { setting } from './define.js'
import { boolean, oneOf } from './kinds.js'

export const PRIVACY_SETTINGS = {
  urlRedaction: setting(oneOf(URL_REDACTIONS), {
    variables: [
      {
        name: 'OTELKIT_URL_REDACTION',
        example: 'route-params',
        doc: '`url.path` / `url.full`: `default`, `route-params` or `none`, see [privacy](#privacy)',
      },
    ],
    default: 'default',
  }),
  captureUserAgent: setting(boolean, {
    variables: [
      {
        name: 'OTELKIT_CAPTURE_USER_AGENT',
        example: 'true',
        doc: 'record `user_agent.original` on server spans',
      },
    ],
    default: false,
  }),
}
