/**
 * Option validation: a bad value of a decoding bound or of a response-cache key option throws an
 * InvalidOptionsError (stable code) that names the option, repeats the value and says what to pass.
 */
import { describe, expect, it } from 'vitest'
import { cacheResponses as expressCache } from '../src/http/express.js'
import { cacheResponses as fastifyCache } from '../src/http/fastify.js'
import { cacheResponses as nodeCache, type ResponseCacheOptions } from '../src/http/node.js'
import { type CacheOptions, createCache, InvalidOptionsError } from '../src/index.js'

const cache = createCache({ name: 'options' })

const CACHE_OPTIONS: Array<[CacheOptions, RegExp]> = [
  [
    { maxDecodedBytes: 0 },
    /maxDecodedBytes must be a positive integer, got 0; pass a whole number such as 1048576/,
  ],
  [{ maxBigIntDigits: 1.5 }, /maxBigIntDigits must be a positive integer, got 1\.5/],
  [{ maxValueBytes: '1mb' as never }, /maxValueBytes must be a positive integer, got "1mb"/],
]

const RESPONSE_OPTIONS: Array<[ResponseCacheOptions, RegExp]> = [
  [{ maxVariants: -1 }, /maxVariants must be a positive integer, got -1; pass a whole number such as 10000/],
  [{ unlistedQuery: 'drop' as never }, /unlistedQuery must be 'bypass' or 'ignore', got "drop"/],
  [{ onReflectedHeader: 'strip' as never }, /onReflectedHeader must be 'key' or 'bypass', got "strip"/],
  [
    { varyQuery: 'page' as never },
    /varyQuery must be an array of non-empty names, got "page"; pass e\.g\. \['page', 'sort'\]/,
  ],
  [{ reflectedHeaders: [''] }, /reflectedHeaders must be an array of non-empty names, got \[""\]/],
  [{ maxBodyBytes: 0 }, /maxBodyBytes must be a positive integer, got 0/],
]

function thrown(fn: () => unknown): InvalidOptionsError {
  try {
    fn()
  } catch (error) {
    return error as InvalidOptionsError
  }
  throw new Error('expected an InvalidOptionsError, nothing was thrown')
}

describe('option validation', () => {
  it.each(CACHE_OPTIONS)(
    'createCache(%o) throws a typed error that says what to pass',
    (options, message) => {
      const error = thrown(() => createCache(options))
      expect(error).toBeInstanceOf(InvalidOptionsError)
      expect(error.code).toBe('OTELKIT_CACHE_INVALID_OPTIONS')
      expect(error.message).toMatch(message)
    },
  )

  it.each(RESPONSE_OPTIONS)('cacheResponses(cache, %o) throws on every adapter', (options, message) => {
    for (const adapter of [nodeCache, expressCache, fastifyCache]) {
      const error = thrown(() => adapter(cache, options))
      expect(error).toBeInstanceOf(InvalidOptionsError)
      expect(error.code).toBe('OTELKIT_CACHE_INVALID_OPTIONS')
      expect(error.message).toMatch(message)
    }
  })

  it('accepts Infinity as "no bound" and the documented forms', () => {
    expect(() => createCache({ maxValueBytes: Number.POSITIVE_INFINITY, maxDecodedBytes: 1 })).not.toThrow()
    expect(() =>
      nodeCache(cache, {
        varyQuery: [],
        unlistedQuery: 'ignore',
        reflectedHeaders: ['X-Forwarded-Host'],
        onReflectedHeader: 'bypass',
        maxVariants: 1,
      }),
    ).not.toThrow()
  })
})
