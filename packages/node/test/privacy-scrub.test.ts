/**
 * The privacy scrubbers one by one: database error text, Redis statements, URL paths and keys,
 * URL userinfo; and the span processor that applies the first to every database client span
 * and to the same error recorded on other spans.
 */
import { createNoopMeter, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { TracerProvider } from '@opentelemetry/sdk-trace'
import { describe, expect, it } from 'vitest'
import { describeThrown } from '../src/errors-tracking/describe-thrown.js'
import { ErrorSpanProcessor } from '../src/errors-tracking/span-processor.js'
import { ErrorTracker } from '../src/errors-tracking/tracker.js'
import { isDatabaseError, scrubDbMessage, scrubStackHead } from '../src/privacy/db-errors.js'
import { redisCommandName, redisStatement } from '../src/privacy/redis.js'
import { PrivacySpanProcessor } from '../src/privacy/span-processor.js'
import { redactKey, redactPath, stripUrlUserinfo, withoutUserinfo } from '../src/privacy/url.js'
import { spanCollector } from './support/span-collector.js'

describe('database error messages', () => {
  it.each([
    ['invalid input syntax for type integer: "pg-secret-1"', 'invalid input syntax for type integer: "?"'],
    ['date/time field value out of range: "2024-13-45"', 'date/time field value out of range: "?"'],
    ['value 123456789 out of range for type int4', 'value ? out of range for type int4'],
    [
      "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near ''my-secret-1'' at line 1",
      "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '?' at line ?",
    ],
    ["Duplicate entry 'alice@example.com' for key 'users.email'", "Duplicate entry '?' for key '?'"],
    ["Table 'test.secret_table' doesn't exist", "Table '?' doesn't exist"],
    [
      'E11000 duplicate key error collection: test.users index: email_1 dup key: { email: "bob@example.com", age: 42 }',
      'E11000 duplicate key error collection: test.users index: email_1 dup key: { email: "?", age: ? }',
    ],
    ["unterminated 'secret-rest", "unterminated '?'"],
    ['ERR wrong number of arguments', 'ERR wrong number of arguments'],
  ])('%s', (raw, scrubbed) => {
    expect(scrubDbMessage(raw)).toBe(scrubbed)
  })

  it('stays linear on hostile messages (a database may quote whatever a client sent)', () => {
    for (const unit of ["near '", '\n ', "a'", '"\\', '`\\', '1.', "''", '\n\t', '1e"']) {
      const message = `invalid input: "${unit.repeat(Math.ceil(200_000 / unit.length))}`
      const started = performance.now()
      scrubDbMessage(message)
      scrubStackHead(`error: ${message}\n    at x (y.js:1:1)`)
      expect(performance.now() - started, JSON.stringify(unit)).toBeLessThan(500)
    }
  })

  it('scrubs the message part of a stack, keeping its frames', () => {
    const stack =
      'error: invalid input syntax for type integer: "pg-secret-2"\n    at Parser.parse (/app/node_modules/pg/x.js:12:5)'
    expect(scrubStackHead(stack)).toBe(
      'error: invalid input syntax for type integer: "?"\n    at Parser.parse (/app/node_modules/pg/x.js:12:5)',
    )
  })

  it('recognises pg, mysql2, MongoDB and Redis errors by shape', () => {
    expect(
      isDatabaseError(Object.assign(new Error('x'), { severity: 'ERROR', code: '22P02', routine: 'r' })),
    ).toBe(true)
    expect(isDatabaseError(Object.assign(new Error('x'), { sqlState: '42000' }))).toBe(true)
    expect(isDatabaseError(Object.assign(new Error('x'), { name: 'MongoServerError' }))).toBe(true)
    expect(isDatabaseError(Object.assign(new Error('x'), { name: 'ReplyError' }))).toBe(true)
    expect(isDatabaseError(new TypeError('x'))).toBe(false)
  })

  it('an uncaught database error is described without its values', () => {
    const error = Object.assign(new Error("Duplicate entry 'crash-secret' for key 'PRIMARY'"), {
      sqlState: '23000',
    })
    const description = describeThrown(error, 'uncaught-exception')
    expect(description.message).toBe("Duplicate entry '?' for key '?'")
    expect(description.stack).not.toContain('crash-secret')
    expect(describeThrown(new Error('user "x" not found'), 'uncaught-exception').message).toBe(
      'user "x" not found',
    )
  })
})

describe('the privacy span processor', () => {
  const collector = spanCollector()
  const ended = collector.ended
  const tracker = new ErrorTracker(createNoopMeter().createCounter('otelkit.errors'), {
    classifier: undefined,
    appRoot: process.cwd(),
    fingerprintFrames: 5,
    maxGroups: 100,
    maxStackLength: 4096,
    maxMessageLength: 1024,
  })
  // The SDK's order: privacy first, then error tracking, then export.
  const provider = new TracerProvider({
    spanProcessors: [new PrivacySpanProcessor(), new ErrorSpanProcessor(tracker), collector],
  })
  const tracer = provider.getTracer('test')

  it('scrubs any database client span (here MongoDB), then the same error on a server span', () => {
    const error = Object.assign(
      new Error('E11000 duplicate key error dup key: { email: "mongo-secret@example.com" }'),
      {
        name: 'MongoServerError',
      },
    )
    const server = tracer.startSpan('GET /users', { kind: SpanKind.SERVER })
    const client = tracer.startSpan('insert users', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'mongodb' },
    })
    client.recordException(error)
    client.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
    client.end()
    server.recordException(error)
    server.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
    server.end()
    for (const span of ended.slice(-2)) {
      expect(span.status.message).toBe('E11000 duplicate key error dup key: { email: "?" }')
      const exception = span.events.find((e) => e.name === 'exception')
      expect(exception?.attributes?.['exception.message']).toBe(
        'E11000 duplicate key error dup key: { email: "?" }',
      )
      expect(String(exception?.attributes?.['exception.stacktrace'])).not.toContain('mongo-secret')
    }
  })

  it('error groups (/debug/errors) get the scrubbed message', () => {
    const span = tracer.startSpan('SELECT', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql' },
    })
    const error = new Error('invalid input syntax for type integer: "group-secret"')
    span.recordException(error)
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
    span.end()
    const messages = tracker.groups.list().map((g) => g.message)
    expect(messages).toContain('invalid input syntax for type integer: "?"')
    expect(JSON.stringify(tracker.groups.list())).not.toContain('group-secret')
  })

  it('still ignores the CLIENT SETINFO handshake error of Redis before 7.2, message scrubbed', () => {
    const before = tracker.groups.list().length
    const span = tracer.startSpan('client', {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'redis',
        'db.query.text': redisStatement('client', ['SETINFO', 'lib-name', 'ioredis']),
      },
    })
    const error = Object.assign(new Error("ERR unknown subcommand 'SETINFO'. Try CLIENT HELP."), {
      name: 'ReplyError',
    })
    span.recordException(error)
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message })
    span.end()
    expect(ended.at(-1)?.status.message).toBe("ERR unknown subcommand '?'. Try CLIENT HELP.")
    expect(tracker.groups.list()).toHaveLength(before)
  })

  it('leaves other spans and errors alone', () => {
    const span = tracer.startSpan('GET /x', { kind: SpanKind.SERVER })
    span.recordException(new Error('order 42 not found'))
    span.end()
    expect(ended.at(-1)?.events[0]?.attributes?.['exception.message']).toBe('order 42 not found')
  })
})

describe('Redis statements', () => {
  it.each([
    ['set', ['user:42', 'set-secret-value'], 'SET user:42 ?'],
    ['SET', ['k', 'v', 'EX', '10'], 'SET k ? ? ?'],
    ['get', ['user:42'], 'GET user:42'],
    ['hset', ['h', 'field', 'hash-secret'], 'HSET h ? ?'],
    ['mget', ['a', 'b', 'c'], 'MGET a b c'],
    ['eval', ['return ARGV[1]', '1', 'key', 'eval-secret'], 'EVAL ? ? ? ?'],
    ['evalsha', ['abc123', '1', 'key', 'sha-secret'], 'EVALSHA ? ? ? ?'],
    ['fcall', ['myfunc', '1', 'key', 'fcall-secret'], 'FCALL ? ? ? ?'],
    ['auth', ['user', 'auth-secret'], 'AUTH ? ?'],
    ['config', ['SET', 'requirepass', 'config-secret'], 'CONFIG SET ? ?'],
    ['client', ['SETINFO', 'lib-name', 'ioredis'], 'CLIENT SETINFO ? ?'],
    ['acl', ['SETUSER', 'alice', 'on', '>acl-secret'], 'ACL SETUSER ? ? ?'],
    ['ping', [], 'PING'],
    ['set', ['session:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', 'v'], 'SET session:{jwt} ?'],
    ['get', ['user:alice@example.com'], 'GET user:{email}'],
    [
      'rpush',
      ['list', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      'RPUSH list ? ? ? ? ? ? ? ... (10 arguments)',
    ],
  ])('%s %j', (command, args, statement) => {
    expect(redisStatement(command, args)).toBe(statement)
  })

  it('keeps every shape right past the bound of remembered command names', () => {
    for (let i = 0; i < 1500; i++)
      expect(redisStatement(`custom.cmd${i}`, ['a', 'b'])).toBe(`CUSTOM.CMD${i} ? ?`)
    expect(redisStatement('get', ['user:42'])).toBe('GET user:42')
    expect(redisStatement('Get', ['user:42'])).toBe('GET user:42')
    expect(redisStatement('mget', ['a', 'b'])).toBe('MGET a b')
    expect(redisStatement('client', ['setinfo', 'lib-name', 'x'])).toBe('CLIENT SETINFO ? ?')
    expect(redisCommandName('hgetall')).toBe('HGETALL')
  })
})

describe('URL paths', () => {
  it.each([
    ['/api/products/42', '/api/products/42'],
    ['/users/alice@example.com/orders', '/users/{email}/orders'],
    ['/users/alice%40example.com', '/users/{email}'],
    ['/reset/k7Hq2mZp9VxR4tLw8NbC3dFs', '/reset/{token}'],
    ['/orders/123e4567-e89b-12d3-a456-426614174000', '/orders/{token}'],
    [
      '/auth/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      '/auth/{jwt}',
    ],
    ['/docs/getting-started-with-otelkit', '/docs/getting-started-with-otelkit'],
    // 19 characters mixing letters and digits are not a token yet, 20 are
    ['/t/k7Hq2mZp9VxR4tLw8Nb', '/t/k7Hq2mZp9VxR4tLw8Nb'],
    ['/t/k7Hq2mZp9VxR4tLw8NbC', '/t/{token}'],
    // a colon does not end a path segment (it does end a key's part)
    ['/t/k7Hq2mZp9:VxR4tLw8NbC', '/t/{token}'],
    ['/', '/'],
  ])('%s', (path, recorded) => {
    expect(redactPath(path)).toBe(recorded)
  })

  it('stays linear on hostile paths and log lines (16 KB of near-matches)', () => {
    for (const unit of ['eyJ', '%40a', 'a@b', 'a.', '0a', 'a://', 'a/', 'a:', 'a:/']) {
      const path = `/${unit.repeat(Math.ceil(16_384 / unit.length))}`
      const started = performance.now()
      redactPath(path)
      redactKey(path.slice(1))
      stripUrlUserinfo(path)
      expect(performance.now() - started, unit).toBeLessThan(50)
    }
  })

  it('returns the same string when nothing matches (no allocation on the hot path)', () => {
    const path = '/api/products/42'
    expect(Object.is(redactPath(path), path)).toBe(true)
    expect(redactKey('otelkit:cache:products:42')).toBe('otelkit:cache:products:42')
  })

  it('redacts Redis key parts between colons and slashes', () => {
    expect(redactKey('session:k7Hq2mZp9VxR4tLw8NbC')).toBe('session:{token}')
    expect(redactKey('session:k7Hq2mZp9:VxR4tLw8NbC')).toBe('session:k7Hq2mZp9:VxR4tLw8NbC')
    expect(redactKey('user:alice%40example.com:cart')).toBe('user:{email}:cart')
  })
})

describe('URL userinfo', () => {
  it('is dropped from URLs and from any text', () => {
    expect(withoutUserinfo('http://user:pw-secret@collector:4318/v1/traces')).toBe(
      'http://collector:4318/v1/traces',
    )
    expect(withoutUserinfo('http://collector:4318')).toBe('http://collector:4318')
    expect(
      stripUrlUserinfo(
        'export to https://u:pw-secret@a.example/v1 failed; db postgres://app:db-secret@db/app',
      ),
    ).toBe('export to https://a.example/v1 failed; db postgres://db/app')
    expect(stripUrlUserinfo('mail alice@example.com')).toBe('mail alice@example.com')
  })
})
