/**
 * Configuration messages that keep what can be kept: a malformed OTLP header pair is skipped
 * (the others apply) with a warning showing a headers example and no value; a batch size larger
 * than the queue, a blank debug token and an overlong service name each give one warning.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { readEnv } from '../src/config/env.js'
import { loadConfig } from '../src/config/load.js'
import { setLogSink } from '../src/logger.js'

/** The longest service name kept (documented in the README). */
const MAX_SERVICE_NAME_LENGTH = 255
const HEADERS_EXAMPLE = 'e.g. authorization=Bearer%20abc123,x-tenant=shop'

function load(env: Record<string, string>, options?: object) {
  const lines: string[] = []
  setLogSink((line) => lines.push(line))
  const config = loadConfig(options, env)
  return { config, warnings: lines.filter((l) => l.startsWith('[otelkit] warn')) }
}

afterEach(() => setLogSink((line) => process.stderr.write(`${line}\n`)))

describe('OTEL_EXPORTER_OTLP_HEADERS', () => {
  it('one malformed pair is skipped, the good ones apply, the warning names the entry only', () => {
    const { options, warnings } = readEnv({
      OTEL_EXPORTER_OTLP_HEADERS:
        'authorization=Bearer%20hdr-secret-1,hdr-secret-2,x-api-key=%ZZhdr-secret-3,x-tenant=shop',
    })
    expect(options.otlpHeaders).toEqual({ authorization: 'Bearer hdr-secret-1', 'x-tenant': 'shop' })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('OTEL_EXPORTER_OTLP_HEADERS=<redacted>')
    expect(warnings[0]).toContain('entry 2, entry 3 (key "x-api-key") skipped')
    expect(warnings[0]).toContain(HEADERS_EXAMPLE)
    expect(warnings[0]).toContain('the other entries apply')
    expect(warnings[0]).not.toContain('hdr-secret')
  })

  it('a value with no valid pair warns with a headers example and keeps the default', () => {
    const { options, warnings } = readEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'Bearer hdr-secret-4' })
    expect(options.otlpHeaders).toBeUndefined()
    expect(warnings).toEqual([
      `invalid OTEL_EXPORTER_OTLP_HEADERS=<redacted>: expected comma-separated key=value pairs with percent-encoded values, ${HEADERS_EXAMPLE}; using the default`,
    ])
  })

  it('OTEL_RESOURCE_ATTRIBUTES keeps its own example and its good pairs', () => {
    const { options, warnings } = readEnv({ OTEL_RESOURCE_ATTRIBUTES: 'team=shop,oops,tier=web' })
    expect(options.resourceAttributes).toEqual({ team: 'shop', tier: 'web' })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('"team=shop,oops,tier=web"')
    expect(warnings[0]).toContain('e.g. deployment.environment.name=prod,team=shop')
  })
})

describe('settings adjusted to each other', () => {
  it('a batch size larger than the queue: one warning, batches of the queue size', () => {
    const { config, warnings } = load({
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500',
    })
    expect(config.bspMaxExportBatchSize).toBe(100)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('OTEL_BSP_MAX_EXPORT_BATCH_SIZE (bspMaxExportBatchSize) 500')
    expect(warnings[0]).toContain('OTEL_BSP_MAX_QUEUE_SIZE (bspMaxQueueSize) 100')
    expect(load({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2048' }).warnings).toHaveLength(0)
    expect(load({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096' }).warnings).toHaveLength(1)
  })

  it('a blank debug token: one warning, /debug stays off', () => {
    const { config, warnings } = load({ OTELKIT_DEBUG_TOKEN: '   ' })
    expect(config.debugToken).toBeUndefined()
    expect(warnings).toEqual([
      '[otelkit] warn: OTELKIT_DEBUG_TOKEN is set but blank: /debug/* stay off; expected a secret of at least 16 characters without spaces',
    ])
  })

  it('an overlong service name is cut, with one warning (from the environment or from code)', () => {
    const long = `svc-${'x'.repeat(400)}`
    for (const [env, options] of [
      [{ OTEL_SERVICE_NAME: long }, undefined],
      [{}, { serviceName: long }],
      [{ OTEL_RESOURCE_ATTRIBUTES: `service.name=${long}` }, undefined],
    ] as const) {
      const { config, warnings } = load(env, options)
      expect(config.serviceName).toBe(long.slice(0, MAX_SERVICE_NAME_LENGTH))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(
        `is ${long.length} characters long: cut to its first ${MAX_SERVICE_NAME_LENGTH}`,
      )
    }
    expect(load({ OTEL_SERVICE_NAME: 'x'.repeat(MAX_SERVICE_NAME_LENGTH) }).warnings).toHaveLength(0)
  })
})
