/**
 * The privacy settings through the preload: `OTELKIT_URL_REDACTION` (default, route-params,
 * none) on server and client spans, and `user_agent.original`, recorded only with
 * `OTELKIT_CAPTURE_USER_AGENT=true`.
 */
import { describe, expect, it } from 'vitest'
import type { ReceivedSpan } from './support/otlp-receiver.js'
import { exportTo, receiverForFile, startService } from './support/service.js'

const SERVER = 2
const CLIENT = 3
const TOKEN = 'k7Hq2mZp9VxR4tLw8NbC3dFs'
const AGENT = 'settings-test-agent/1.0'

const receiver = receiverForFile()

/** Runs the plain node:http fixture with `env`, requests `path`, returns its server span. */
async function serverSpan(name: string, path: string, env: Record<string, string>): Promise<ReceivedSpan> {
  const service = await startService({
    fixture: 'http-app.mjs',
    env: {
      ...exportTo(receiver, name),
      ...env,
    },
  })
  try {
    expect((await service.get(path, { headers: { 'user-agent': AGENT } })).status).toBe(200)
    const mine = (s: ReceivedSpan) => s.service === name && s.kind === SERVER
    await receiver.waitFor((spans) => spans.some(mine))
    return receiver.spans.find(mine) as ReceivedSpan
  } finally {
    await service.stop()
  }
}

describe('OTELKIT_URL_REDACTION', () => {
  it.each([
    { mode: '(unset)', routed: '/routed/{token}', unrouted: '/plain/{token}/x' },
    { mode: 'route-params', routed: '/routed/:id', unrouted: '/plain/{token}/x' },
    { mode: 'none', routed: `/routed/${TOKEN}`, unrouted: `/plain/${TOKEN}/x` },
  ])('$mode: url.path $routed (routed), $unrouted (no route)', async ({ mode, routed, unrouted }) => {
    const env: Record<string, string> = mode === '(unset)' ? {} : { OTELKIT_URL_REDACTION: mode }
    const a = await serverSpan(`url-${mode}-routed`, `/routed/${TOKEN}?token=${TOKEN}`, env)
    expect(a.attributes['http.route']).toBe('/routed/:id')
    expect(a.attributes['url.path']).toBe(routed)
    const b = await serverSpan(`url-${mode}-plain`, `/plain/${TOKEN}/x`, env)
    expect(b.attributes['url.path']).toBe(unrouted)
  })

  it.each([
    { mode: 'default', path: '/echo/{token}' },
    { mode: 'route-params', path: '/echo/{token}' },
    { mode: 'none', path: `/echo/${TOKEN}` },
  ])('$mode: url.full of outgoing requests (node:http and fetch) ends in $path', async ({ mode, path }) => {
    const name = `url-client-${mode}`
    const service = await startService({
      fixture: 'http-app.mjs',
      env: {
        ...exportTo(receiver, name),
        OTELKIT_URL_REDACTION: mode,
      },
    })
    try {
      expect((await service.get(`/outbound/${TOKEN}?key=${TOKEN}`)).status).toBe(200)
      const client = (s: ReceivedSpan) => s.service === name && s.kind === CLIENT
      await receiver.waitFor((spans) => spans.filter(client).length >= 2)
      const full = receiver.spans.filter(client).map((s) => s.attributes['url.full'])
      expect(full).toEqual([
        `http://127.0.0.1:${service.port}${path}`,
        `http://127.0.0.1:${service.port}${path}`,
      ])
    } finally {
      await service.stop()
    }
  })
})

describe('user_agent.original', () => {
  it('is not recorded by default', async () => {
    const span = await serverSpan('ua-default', '/ua', {})
    expect(span.attributes['user_agent.original']).toBeUndefined()
  })

  it('is recorded with OTELKIT_CAPTURE_USER_AGENT=true', async () => {
    const span = await serverSpan('ua-on', '/ua', { OTELKIT_CAPTURE_USER_AGENT: 'true' })
    expect(span.attributes['user_agent.original']).toBe(AGENT)
  })
})
