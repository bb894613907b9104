/**
 * `/debug/errors` on a real ops server: hidden without a debug token, 401 without the bearer
 * token, and the groups as JSON with it; memory bounded by the LRU and the caps.
 */
import { createNoopMeter } from '@opentelemetry/api'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/config/resolve.js'
import { type ErrorsTrackingHandle, errorsFeature } from '../src/errors-tracking/index.js'
import { type RunningOpsServer, startOpsServer } from '../src/ops/server.js'
import type { SdkContext } from '../src/sdk/context.js'

const TOKEN = 'errors-debug-test-token-0123456789'
const shutdownHooks: (() => void | Promise<void>)[] = []
const servers: RunningOpsServer[] = []

function install(
  options: Parameters<typeof errorsFeature>[0],
  configExtras: Record<string, unknown> = {},
): ErrorsTrackingHandle {
  const meter = createNoopMeter()
  const ctx: SdkContext = {
    config: {
      ...resolveConfig({
        serviceName: 'errors-debug-test',
        tracesExporter: ['none'],
        metricsExporter: ['none'],
      }),
      ...configExtras,
    },
    meterProvider: { getMeter: () => meter },
    meter,
    telemetryDropped: meter.createCounter('otelkit.telemetry.dropped'),
    addSpanProcessor: () => {},
    onShutdown: (hook) => shutdownHooks.push(hook),
  }
  const feature = errorsFeature(options)
  feature.install(ctx)
  return feature.handle as ErrorsTrackingHandle
}

async function start(debugToken: string | undefined): Promise<string> {
  const ops = startOpsServer({ port: 0, host: '127.0.0.1', debugToken })
  servers.push(ops)
  await new Promise<void>((resolve) =>
    ops.server.listening ? resolve() : ops.server.once('listening', resolve),
  )
  const address = ops.server.address() as { port: number }
  return `http://127.0.0.1:${address.port}`
}

afterAll(async () => {
  for (const s of servers) await s.close()
  for (const hook of shutdownHooks) await hook()
})

function thrown(id: number): Error {
  return new RangeError(`quantity ${id} out of range for sku "A-${id}"`)
}

describe('/debug/errors', () => {
  const handle = install({ maxGroups: 3, maxStackLength: 120, maxMessageLength: 40 })
  const record = (error: Error, traceId: string, route?: string) =>
    handle.tracker.record(
      {
        source: 'server',
        type: error.name,
        message: error.message,
        code: undefined,
        statusCode: 500,
        route,
        stack: error.stack,
        attributes: {},
      },
      traceId,
    )

  it('is a 404 when no debug token is configured', async () => {
    const base = await start(undefined)
    const res = await fetch(`${base}/debug/errors`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(404)
  })

  it('answers 401 without the bearer token or with a wrong one', async () => {
    const base = await start(TOKEN)
    expect((await fetch(`${base}/debug/errors`)).status).toBe(401)
    const wrong = await fetch(`${base}/debug/errors`, {
      headers: { authorization: 'Bearer not-the-token-at-all' },
    })
    expect(wrong.status).toBe(401)
  })

  it('lists groups with fingerprint, type, category, sample message, count, times, trace id and stack', async () => {
    const first = record(thrown(1), 'a'.repeat(32), '/orders')
    const second = record(thrown(2), 'b'.repeat(32), '/orders')
    expect(second.fingerprint).toBe(first.fingerprint)
    const base = await start(TOKEN)
    const res = await fetch(`${base}/debug/errors`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const body = (await res.json()) as {
      totalGroups: number
      maxGroups: number
      groups: Record<string, unknown>[]
    }
    expect(body.totalGroups).toBe(1)
    expect(body.maxGroups).toBe(3)
    const group = body.groups[0] as Record<string, unknown>
    expect(group).toMatchObject({
      fingerprint: first.fingerprint,
      type: 'RangeError',
      category: 'server',
      count: 2,
      route: '/orders',
      lastTraceId: 'b'.repeat(32),
    })
    // message capped at 40 characters (plus the ellipsis), stack at 120
    expect(group.message).toBe(`${'quantity 2 out of range for sku "A-2"'}`)
    expect(String(group.stack).length).toBeLessThanOrEqual(121)
    expect(String(group.stack)).toMatch(/^RangeError: quantity 1/)
    expect(Date.parse(String(group.firstSeen))).toBeLessThanOrEqual(Date.parse(String(group.lastSeen)))
  })

  it('keeps at most maxGroups groups, evicting the least recently seen, and caps long messages', async () => {
    const long = new TypeError(`${'x'.repeat(100)} failed`)
    record(new TypeError('first distinct'), 'c'.repeat(32))
    record(new SyntaxError('second distinct'), 'd'.repeat(32))
    record(long, 'e'.repeat(32))
    const base = await start(TOKEN)
    const res = await fetch(`${base}/debug/errors?limit=10`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    const body = (await res.json()) as {
      totalGroups: number
      evictedGroups: number
      groups: { type: string; message: string }[]
    }
    expect(body.totalGroups).toBe(3)
    expect(body.evictedGroups).toBe(1)
    // most recent first; the RangeError group (least recently seen) was evicted
    expect(body.groups.map((g) => g.type)).toEqual(['TypeError', 'SyntaxError', 'TypeError'])
    expect(body.groups[0]?.message).toBe(`${'x'.repeat(40)}…`)
  })

  it('filters by category', async () => {
    const base = await start(TOKEN)
    const res = await fetch(`${base}/debug/errors?category=timeout`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    const body = (await res.json()) as { groups: unknown[] }
    expect(body.groups).toEqual([])
  })
})

describe('settings from the SDK config', () => {
  it('takes classifyError and errorGroupsMax from the resolved config; feature options win', () => {
    const failure = {
      source: 'server' as const,
      type: 'Error',
      message: 'card declined',
      code: undefined,
      statusCode: 500,
      route: undefined,
      stack: undefined,
      attributes: {},
    }
    const fromConfig = install({}, { classifyError: () => 'client', errorGroupsMax: 1 })
    expect(fromConfig.tracker.record(failure, undefined).category).toBe('client')
    fromConfig.tracker.record({ ...failure, type: 'OtherError' }, undefined)
    expect(fromConfig.tracker.groups.size).toBe(1)
    const overridden = install({ classifyError: () => 'dependency' }, { classifyError: () => 'client' })
    expect(overridden.tracker.record(failure, undefined).category).toBe('dependency')
  })
})
