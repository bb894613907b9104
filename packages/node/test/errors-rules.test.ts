/**
 * Categorisation rules, the classifier extension, message normalisation and fingerprints, fed
 * with real errors from the project's PostgreSQL and Redis and from Node's network stack.
 */
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { builtinCategory, categorize } from '../src/errors-tracking/categorize.js'
import { describeThrown } from '../src/errors-tracking/describe-thrown.js'
import { fingerprint } from '../src/errors-tracking/fingerprint.js'
import { normalizeMessage } from '../src/errors-tracking/normalize.js'
import { inAppFrames } from '../src/errors-tracking/stack.js'
import type { ErrorDescription } from '../src/errors-tracking/types.js'

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test'

function clientError(error: unknown): ErrorDescription {
  return { ...describeThrown(error, 'client'), error: undefined }
}

function httpFailure(source: 'server' | 'client', statusCode: number): ErrorDescription {
  return {
    source,
    type: String(statusCode),
    message: '',
    code: undefined,
    statusCode,
    route: '/orders/:id',
    stack: undefined,
    attributes: {},
  }
}

async function pgError(sql: string, setup?: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    if (setup) await client.query(setup)
    await client.query(sql)
    throw new Error(`expected ${sql} to fail`)
  } catch (error) {
    return error
  } finally {
    await client.end()
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('built-in categories', () => {
  it('uses the HTTP status of server spans', () => {
    expect(builtinCategory(httpFailure('server', 404))).toBe('client')
    expect(builtinCategory(httpFailure('server', 401))).toBe('client')
    expect(builtinCategory(httpFailure('server', 400))).toBe('validation')
    expect(builtinCategory(httpFailure('server', 422))).toBe('validation')
    expect(builtinCategory(httpFailure('server', 408))).toBe('timeout')
    expect(builtinCategory(httpFailure('server', 500))).toBe('server')
    expect(builtinCategory(httpFailure('server', 503))).toBe('server')
    expect(builtinCategory(httpFailure('server', 502))).toBe('dependency')
    expect(builtinCategory(httpFailure('server', 504))).toBe('timeout')
  })

  it('counts upstream HTTP failures of client spans as dependency, upstream timeouts as timeout', () => {
    expect(builtinCategory(httpFailure('client', 500))).toBe('dependency')
    expect(builtinCategory(httpFailure('client', 404))).toBe('dependency')
    expect(builtinCategory(httpFailure('client', 504))).toBe('timeout')
  })

  it('counts uncaught exceptions and unhandled rejections as unhandled, whatever their code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    expect(builtinCategory(describeThrown(refused, 'uncaught-exception'))).toBe('unhandled')
    expect(builtinCategory(describeThrown('plain string', 'unhandled-rejection'))).toBe('unhandled')
  })

  it('maps a refused connection (real ECONNREFUSED) to dependency', async () => {
    const port = await closedPort()
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` })
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    )
    const d = clientError(error)
    expect(d.code).toBe('ECONNREFUSED')
    expect(builtinCategory(d)).toBe('dependency')
    expect(builtinCategory({ ...d, source: 'server' })).toBe('dependency')
  })

  it('maps a DNS failure and a socket timeout by their codes', () => {
    for (const [code, category] of [
      ['EAI_AGAIN', 'dependency'],
      ['ENOTFOUND', 'dependency'],
      ['ECONNRESET', 'dependency'],
      ['ETIMEDOUT', 'timeout'],
      ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ] as const) {
      const error = Object.assign(new Error(`request failed ${code}`), { code })
      expect(builtinCategory(clientError(error)), code).toBe(category)
    }
  })

  it('maps PostgreSQL SQLSTATE classes: 57014 timeout, 22 and 23 validation, 08 dependency', async () => {
    const canceled = await pgError('SELECT pg_sleep(2)', 'SET statement_timeout = 50')
    expect((canceled as { code: string }).code).toBe('57014')
    expect(builtinCategory(clientError(canceled))).toBe('timeout')

    const divide = await pgError('SELECT 1/0')
    expect((divide as { code: string }).code).toBe('22012')
    expect(builtinCategory(clientError(divide))).toBe('validation')

    const badInput = await pgError(`SELECT 'not-a-number'::int`)
    expect((badInput as { code: string }).code).toBe('22P02')
    expect(builtinCategory(clientError(badInput))).toBe('validation')

    const notNull = await pgError(
      'INSERT INTO pg_temp.t VALUES (NULL)',
      'CREATE TEMP TABLE t (id int NOT NULL)',
    )
    expect((notNull as { code: string }).code).toBe('23502')
    expect(builtinCategory(clientError(notNull))).toBe('validation')

    // class 08 (connection exception) is only raised by a server that drops the connection:
    // its rule is exercised by code, the way the pg instrumentation reports it
    expect(
      builtinCategory({ ...httpFailure('client', 0), statusCode: undefined, type: '08006', code: '08006' }),
    ).toBe('dependency')

    const syntax = await pgError('SELEC 1')
    expect((syntax as { code: string }).code).toBe('42601')
    expect(builtinCategory(clientError(syntax))).toBe('dependency')
  })

  it('maps MySQL codes and errnos', () => {
    const dup = {
      ...httpFailure('client', 0),
      statusCode: undefined,
      type: 'ER_DUP_ENTRY',
      code: 'ER_DUP_ENTRY',
    }
    expect(builtinCategory(dup)).toBe('validation')
    expect(builtinCategory({ ...dup, type: 'Error', code: '1062' })).toBe('validation')
    expect(builtinCategory({ ...dup, type: 'Error', code: '3024' })).toBe('timeout')
    expect(
      builtinCategory({ ...dup, type: 'PROTOCOL_CONNECTION_LOST', code: 'PROTOCOL_CONNECTION_LOST' }),
    ).toBe('dependency')
  })

  it('maps error class names: TimeoutError and ValidationError', () => {
    const timeout = AbortSignal.timeout(0)
    return new Promise<void>((resolve) => {
      timeout.addEventListener('abort', () => {
        expect(builtinCategory(clientError(timeout.reason))).toBe('timeout')
        class ValidationError extends Error {}
        expect(builtinCategory({ ...describeThrown(new ValidationError('bad'), 'server') })).toBe(
          'validation',
        )
        resolve()
      })
    })
  })

  it('counts a failed Redis command (real ReplyError) as dependency', async () => {
    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 0 })
    const key = `otelkit-test:errors:${process.pid}:${Date.now()}`
    try {
      await redis.set(key, 'not-a-number', 'EX', 10)
      const error = await redis.incr(key).then(
        () => undefined,
        (e: unknown) => e,
      )
      const d = clientError(error)
      expect(d.type).toBe('ReplyError')
      expect(builtinCategory(d)).toBe('dependency')
    } finally {
      await redis.del(key)
      redis.disconnect()
    }
  })
})

describe('classifier extension', () => {
  const failure = { ...httpFailure('server', 500), message: 'payment declined' }

  it('decides first, and falls back to the rules when it returns undefined', () => {
    const classifier = (e: ErrorDescription) =>
      e.message.includes('declined') ? ('client' as const) : undefined
    expect(categorize(failure, classifier)).toBe('client')
    expect(categorize({ ...failure, message: 'other' }, classifier)).toBe('server')
  })

  it('is ignored when it throws or answers with something that is not a category', () => {
    expect(
      categorize(failure, () => {
        throw new Error('broken classifier')
      }),
    ).toBe('server')
    expect(categorize(failure, () => 'catastrophic' as never)).toBe('server')
  })
})

describe('message normalisation', () => {
  it('strips ids, numbers, UUIDs, hex, e-mails and quoted strings', () => {
    expect(normalizeMessage('user 42 not found')).toBe('user <n> not found')
    expect(normalizeMessage('order 3f2b9c1e-8d4a-4b6f-9e2d-1a2b3c4d5e6f failed')).toBe('order <uuid> failed')
    expect(normalizeMessage('object 5f1d7e2a9c3b4d6e8f0a1b2c missing at 0xdeadBEEF')).toBe(
      'object <hex> missing at <hex>',
    )
    expect(normalizeMessage('no account for jane.doe+shop@example.co.uk')).toBe('no account for <email>')
    expect(normalizeMessage(`duplicate key value "sku-1" violates 'products_pkey'`)).toBe(
      `duplicate key value "<str>" violates '<str>'`,
    )
  })
})

describe('fingerprints', () => {
  const root = '/srv/app'
  const stack = (line: number, id: number) =>
    [
      `Error: user ${id} not found`,
      `    at findUser (/srv/app/src/users.js:${line}:11)`,
      `    at async handler (file:///srv/app/src/routes/users.js:${line + 7}:3)`,
      '    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
    ].join('\n')

  it('keeps in-app frames as relative file:function, without positions', () => {
    expect(inAppFrames(stack(10, 1), root, 5)).toEqual([
      'src/users.js:findUser',
      'src/routes/users.js:handler',
    ])
    expect(inAppFrames(stack(10, 1), root, 1)).toEqual(['src/users.js:findUser'])
  })

  it('groups messages that differ only by ids, and survives moved lines', () => {
    const a = fingerprint(
      { type: 'NotFoundError', message: 'user 1 not found', stack: stack(10, 1) },
      root,
      5,
    )
    const b = fingerprint(
      { type: 'NotFoundError', message: 'user 977 not found', stack: stack(42, 977) },
      root,
      5,
    )
    expect(a).toMatch(/^[0-9a-f]{16}$/)
    expect(b).toBe(a)
  })

  it('separates different types, messages and code paths', () => {
    const base = { type: 'NotFoundError', message: 'user 1 not found', stack: stack(10, 1) }
    const a = fingerprint(base, root, 5)
    expect(fingerprint({ ...base, type: 'TypeError' }, root, 5)).not.toBe(a)
    expect(fingerprint({ ...base, message: 'order 1 not found' }, root, 5)).not.toBe(a)
    expect(fingerprint({ ...base, stack: base.stack.replace('findUser', 'loadUser') }, root, 5)).not.toBe(a)
  })

  it('does not depend on the install path of the app', () => {
    const a = fingerprint({ type: 'E', message: 'm', stack: stack(1, 1) }, root, 5)
    const moved = stack(1, 1).replaceAll('/srv/app', '/home/ci/checkout')
    expect(fingerprint({ type: 'E', message: 'm', stack: moved }, '/home/ci/checkout', 5)).toBe(a)
  })
})
