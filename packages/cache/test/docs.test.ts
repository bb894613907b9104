/**
 * Documentation and shape: every error code is documented in the README (and every documented code
 * exists), README defaults equal the code's DEFAULTS, and the public export shape is pinned.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as express from '../src/http/express.js'
import * as fastify from '../src/http/fastify.js'
import { REFLECTED_HEADERS } from '../src/http/key.js'
import * as node from '../src/http/node.js'
import { RESPONSE_DEFAULTS } from '../src/http/options.js'
import * as api from '../src/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8')
const pkg = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8'))

describe('documentation', () => {
  it('documents every error code, and documents no code that does not exist', () => {
    const codes = Object.keys(api.ERROR_CODES)
    expect(Object.keys(api.errors).sort()).toEqual([...codes].sort())
    for (const code of codes) expect(readme).toContain(`| \`${code}\``)
    const documented = [...readme.matchAll(/\| `(OTELKIT_CACHE_[A-Z_]+)`/g)].map((m) => m[1])
    expect([...new Set(documented)].sort()).toEqual([...codes].sort())
  })

  it('error classes carry their code, a fix-it message and the cause', () => {
    const cause = new Error('boom')
    const error = new api.NotSerializableError('k', cause)
    expect(error).toBeInstanceOf(api.CacheError)
    expect(error.code).toBe('OTELKIT_CACHE_NOT_SERIALIZABLE')
    expect(error.cause).toBe(cause)
    expect(error.message).toContain(api.ERROR_CODES.OTELKIT_CACHE_NOT_SERIALIZABLE)
    for (const [code, Class] of Object.entries(api.errors))
      expect((Class as unknown as { code: string }).code).toBe(code)
  })

  it('README option defaults equal the code', () => {
    const row = (option: string) => {
      const m = new RegExp(`^\\| \`${option.replace('.', '\\.')}\`\\s*\\| ([^|]+?)\\s*\\|`, 'm').exec(readme)
      if (!m) throw new Error(`option ${option} is not in the README table`)
      return m[1]!.trim()
    }
    const d = api.DEFAULTS
    // cells read `'5m'` (300000), `67108864` (64 MiB) or `50`
    const ms = (cell: string) => {
      const paren = /\((\d+)\)/.exec(cell)
      if (paren) return Number(paren[1])
      const first = cell.split(' ')[0]!.replace(/[`']/g, '')
      return /^\d+$/.test(first) ? Number(first) : api.parseDuration(first, 'readme')
    }
    expect(row('name')).toBe(`\`'${d.name}'\``)
    expect(ms(row('ttl'))).toBe(d.ttl)
    expect(ms(row('staleTtl'))).toBe(d.staleTtl)
    expect(Number(row('jitter').replace(/`/g, ''))).toBe(d.jitter)
    expect(ms(row('l1.maxEntries'))).toBe(d.l1MaxEntries)
    expect(ms(row('l1.maxBytes'))).toBe(d.l1MaxBytes)
    expect(ms(row('l1.maxTtl'))).toBe(d.l1MaxTtl)
    expect(ms(row('compression.threshold'))).toBe(d.compressionThreshold)
    expect(ms(row('maxValueBytes'))).toBe(d.maxValueBytes)
    expect(ms(row('maxDecodedBytes'))).toBe(d.maxDecodedBytes)
    expect(ms(row('maxBigIntDigits'))).toBe(d.maxBigIntDigits)
    expect(ms(row('commandTimeout'))).toBe(d.commandTimeout)
    expect(ms(row('breaker.threshold'))).toBe(d.breakerThreshold)
    expect(ms(row('breaker.resetAfter'))).toBe(d.breakerResetAfter)
    expect(ms(row('breaker.maxResetAfter'))).toBe(d.breakerMaxResetAfter)
    expect(ms(row('lock.ttl'))).toBe(d.lockTtl)
    expect(ms(row('lock.wait'))).toBe(d.lockWait)
    expect(ms(row('lock.poll'))).toBe(d.lockPoll)
    expect(ms(row('logInterval'))).toBe(d.logInterval)
    expect(row('staleIfError')).toBe(`\`${d.staleIfError}\``)
  })

  it('README response-cache option defaults equal the code', () => {
    const section = readme.slice(readme.indexOf('## HTTP response caching'))
    const row = (option: string) => {
      const m = new RegExp(`^\\| \`${option}\`\\s*\\| ([^|]+?)\\s*\\|`, 'm').exec(section)
      if (!m) throw new Error(`response option ${option} is not in the README table`)
      return m[1]!.trim()
    }
    const r = RESPONSE_DEFAULTS
    expect(row('maxBodyBytes')).toBe(`\`${r.maxBodyBytes}\` (1 MiB)`)
    expect(row('statuses')).toBe(`\`[${r.statuses.join(', ')}]\``)
    expect(row('unlistedQuery')).toBe(`\`'${r.unlistedQuery}'\``)
    expect(row('onReflectedHeader')).toBe(`\`'${r.onReflectedHeader}'\``)
    expect(row('maxVariants')).toBe(`\`${r.maxVariants}\``)
    expect(row('etag')).toBe(`\`${r.etag}\``)
    for (const option of [
      'ttl',
      'staleTtl',
      'tags',
      'key',
      'principal',
      'route',
      'varyQuery',
      'reflectedHeaders',
    ])
      row(option)
    // the reflected headers are listed by name (README spells them as sent: X-Forwarded-Host)
    for (const header of REFLECTED_HEADERS) expect(section.toLowerCase()).toContain(`\`${header}\``)
  })

  it('documents every metric the code creates', () => {
    const source = ['telemetry.ts'].map((f) => readFileSync(join(here, '..', 'src', f), 'utf8')).join('\n')
    const names = [...source.matchAll(/create(?:Counter|Histogram|ObservableGauge)\('([^']+)'/g)].map(
      (m) => m[1],
    )
    expect(names.length).toBe(8)
    for (const name of names) expect(readme).toContain(`| \`${name}\``)
    expect(readme).toContain('otelkit_cache_requests_total{cache_result=~"hit|stale"}')
    // attribute values the code records
    for (const value of ['`entry_too_large`', '`entry_malformed`', '`too_many_variants`'])
      expect(readme).toContain(value)
  })
})

describe('export shape', () => {
  it('pins the public API and the subpath exports', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'Cache',
        'CacheClosedError',
        'CacheError',
        'DEFAULTS',
        'ERROR_CODES',
        'InvalidDurationError',
        'InvalidKeyError',
        'InvalidOptionsError',
        'LoaderTimeoutError',
        'NotSerializableError',
        'createCache',
        'errors',
        'jsonSerializer',
        'msgpackSerializer',
        'parseDuration',
        'queryKey',
      ].sort(),
    )
    expect(Object.keys(express).sort()).toEqual(['cacheResponses', 'normaliseUrl'])
    expect(Object.keys(fastify).sort()).toEqual(['cacheResponses', 'normaliseUrl'])
    expect(Object.keys(node).sort()).toEqual(['cacheResponses', 'normaliseUrl', 'withResponseCache'])
    expect(Object.keys(pkg.exports).sort()).toEqual([
      '.',
      './express',
      './fastify',
      './http',
      './package.json',
    ])
    expect(api.parseDuration('5m', 'x')).toBe(300_000)
    expect(node.normaliseUrl('/p?b=2&a=1&a=0')).toBe('/p?a=1&a=0&b=2')
  })
})
