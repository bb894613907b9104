/**
 * HTTP response caching: the decision table (http-cases.ts) run against real Express 5, Fastify 5
 * and node:http servers on port 0, sharing Redis on 6379 under a random prefix.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import express from 'express'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheResponses as expressCache } from '../src/http/express.js'
import { cacheResponses as fastifyCache } from '../src/http/fastify.js'
import { cacheResponses as nodeCache, type ResponseCacheOptions } from '../src/http/node.js'
import { type Cache, createCache } from '../src/index.js'
import { bodyFor, CASES, type HttpCase, type RouteFamily } from './http-cases.js'
import { cleanPrefix, randomPrefix, sharedRedis } from './support/redis.js'

const redis = sharedRedis()
const prefixes: string[] = []
afterAll(async () => {
  for (const p of prefixes) await cleanPrefix(redis, p)
  redis.disconnect()
})

const ROUTE_OPTIONS: Record<RouteFamily, ResponseCacheOptions> = {
  c: { ttl: '60s', tags: ['http'] },
  p: { ttl: '60s', principal: (req) => (req.headers.authorization as string | undefined)?.slice(7) },
  s: { ttl: '60s', maxBodyBytes: 1000 },
  q: { ttl: '60s', varyQuery: ['page', 'sort'] },
  i: { ttl: '60s', varyQuery: ['page'], unlistedQuery: 'ignore' },
  b: { ttl: '60s', onReflectedHeader: 'bypass' },
  v: { ttl: '60s', maxVariants: 3 },
}

interface Server {
  url: string
  calls: Map<number, number>
  close: () => Promise<void>
  cache: Cache
}

/** A plain node:http client: unlike fetch, it adds no Cache-Control of its own to conditional requests. */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('end', () => {
          const headers = new Headers()
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, String(v))
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString() })
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

function caseOf(id: string): HttpCase {
  return CASES[Number.parseInt(id, 10)]!
}

function count(calls: Map<number, number>, id: string) {
  calls.set(Number.parseInt(id, 10), (calls.get(Number.parseInt(id, 10)) ?? 0) + 1)
}

/** Writes a case's response on a node:http ServerResponse (node:http and Express). */
function failing(calls: Map<number, number>, id: string, c: HttpCase): boolean {
  return (
    c.response.failAfter !== undefined && (calls.get(Number.parseInt(id, 10)) ?? 0) > c.response.failAfter
  )
}

/** The case's body for this request (with the echoed header or query, if the case echoes one). */
function answer(c: HttpCase, url: string, headers: IncomingMessage['headers']): string {
  const q = url.indexOf('?')
  return bodyFor(c, q < 0 ? '' : url.slice(q + 1), (name) => {
    const v = headers[name]
    return Array.isArray(v) ? v.join(',') : v
  })
}

function writeNode(req: IncomingMessage, res: ServerResponse, c: HttpCase, fail = false) {
  if (fail) {
    res.statusCode = 500
    res.end('boom')
    return
  }
  res.statusCode = c.response.status ?? 200
  res.setHeader('content-type', 'text/plain')
  for (const [k, v] of Object.entries(c.response.headers ?? {})) res.setHeader(k, v)
  if (c.response.chunks) {
    for (const chunk of c.response.chunks) res.write(chunk)
    res.end()
  } else {
    res.end(answer(c, req.url ?? '/', req.headers))
  }
}

function makeCache(label: string): Cache {
  const prefix = randomPrefix(`http-${label}`)
  prefixes.push(prefix)
  return createCache({ name: `http-${label}`, prefix, redis, commandTimeout: '2s', logger: { warn() {} } })
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  )
}

async function nodeServer(): Promise<Server> {
  const cache = makeCache('node')
  const calls = new Map<number, number>()
  const steps = Object.fromEntries(Object.entries(ROUTE_OPTIONS).map(([k, o]) => [k, nodeCache(cache, o)]))
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const [, family, id] = /^\/(\w)\/(\d+)/.exec(req.url ?? '') ?? []
    steps[family!]!(req, res, () => {
      count(calls, id!)
      writeNode(req, res, caseOf(id!), failing(calls, id!, caseOf(id!)))
    })
  })
  const url = await listen(server)
  return { url, calls, cache, close: () => new Promise((r) => server.close(() => r())) }
}

async function expressServer(): Promise<Server> {
  const cache = makeCache('express')
  const calls = new Map<number, number>()
  const app = express()
  for (const [family, options] of Object.entries(ROUTE_OPTIONS)) {
    app.all(`/${family}/:id`, expressCache(cache, options), (req, res) => {
      const id = req.params.id as string
      count(calls, id)
      const c = caseOf(id)
      if (failing(calls, id, c)) {
        res.status(500).send('boom')
        return
      }
      if (c.response.chunks) return writeNode(req, res, c)
      res.status(c.response.status ?? 200).set({ 'content-type': 'text/plain', ...c.response.headers })
      if (c.response.headers?.['x-no-etag']) app.set('etag', false)
      else app.set('etag', 'weak')
      res.send(answer(c, req.originalUrl, req.headers))
    })
  }
  const server = http.createServer(app)
  const url = await listen(server)
  return { url, calls, cache, close: () => new Promise((r) => server.close(() => r())) }
}

async function fastifyServer(): Promise<Server> {
  const cache = makeCache('fastify')
  const calls = new Map<number, number>()
  const app = Fastify()
  for (const [family, options] of Object.entries(ROUTE_OPTIONS)) {
    app.route({
      method: ['GET', 'POST'],
      url: `/${family}/:id`,
      ...fastifyCache(cache, options),
      handler: async (request, reply) => {
        const id = (request.params as { id: string }).id
        count(calls, id)
        const c = caseOf(id)
        if (failing(calls, id, c)) return reply.code(500).send('boom')
        reply.code(c.response.status ?? 200).headers({ 'content-type': 'text/plain', ...c.response.headers })
        if (c.response.chunks) return reply.send(Readable.from(c.response.chunks.map((s) => Buffer.from(s))))
        return reply.send(answer(c, request.url, request.headers))
      },
    })
  }
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, calls, cache, close: () => app.close() }
}

const FRAMEWORKS = { 'node:http': nodeServer, 'Express 5': expressServer, 'Fastify 5': fastifyServer }

describe.each(Object.entries(FRAMEWORKS))('HTTP response caching on %s', (_name, start) => {
  let server: Server
  beforeAll(async () => {
    server = await start()
    await server.cache.ready()
  })
  afterAll(async () => {
    await server.close()
    await server.cache.close()
  })

  it('has at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25)
  })

  it.concurrent.each(CASES.map((c, i) => [c.name, i] as const))('%s', async (_title, i) => {
    const c = CASES[i]!
    const expectedBody = c.response.chunks?.join('') ?? c.response.body ?? `body of case ${c.name}`
    for (const [n, step] of c.steps.entries()) {
      if (step.waitMs) await new Promise((r) => setTimeout(r, step.waitMs))
      const path = `/${c.route ?? 'c'}/${i}${step.pathSuffix ?? ''}`
      const res = await request(`${server.url}${path}${step.query ? `?${step.query}` : ''}`, {
        method: step.method ?? 'GET',
        headers: step.headers,
      })
      const body = res.body
      const where = `step ${n + 1}`
      expect(res.headers.get('x-cache'), where).toBe(step.xcache)
      expect(res.status, where).toBe(step.status ?? c.response.status ?? 200)
      if (step.emptyBody) expect(body, where).toBe('')
      else expect(body, where).toBe(step.body ?? expectedBody)
      if ((step.xcache === 'HIT' || step.xcache === 'STALE') && step.status !== 304) {
        expect(Number(res.headers.get('age')), where).toBeGreaterThanOrEqual(0)
        expect(res.headers.get('etag'), where).toBeTruthy()
      }
      if (c.response.headers?.['set-cookie'] && step.xcache === 'HIT')
        throw new Error('Set-Cookie response served from cache')
    }
    expect(server.calls.get(i) ?? 0).toBe(c.calls)
  })

  it('invalidates stored responses by tag', async () => {
    expect((await request(`${server.url}/c/0?tagcheck=1`)).headers.get('x-cache')).toBe('MISS')
    expect((await request(`${server.url}/c/0?tagcheck=1`)).headers.get('x-cache')).toBe('HIT')
    await server.cache.invalidateTags(['http'])
    expect((await request(`${server.url}/c/0?tagcheck=1`)).headers.get('x-cache')).toBe('MISS')
  })
})
