/** Express specifics: a router mounted under a path keys on the full original URL and labels metrics with the full route template. */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type Request, Router } from 'express'
import { afterAll, describe, expect, it } from 'vitest'
import { cacheResponses } from '../src/http/express.js'
import { createCache } from '../src/index.js'
import { cleanPrefix, randomPrefix, sharedRedis } from './support/redis.js'

const redis = sharedRedis()
const prefix = randomPrefix('express-router')
afterAll(async () => {
  await cleanPrefix(redis, prefix)
  redis.disconnect()
})

function get(url: string): Promise<{ status: number; xcache: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = ''
        res.on('data', (d) => {
          body += d
        })
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, xcache: res.headers['x-cache'] as string, body }),
        )
      })
      .on('error', reject)
  })
}

describe('Express router mounts', () => {
  it('caches per full URL, tags per route params, and invalidates by tag', async () => {
    const cache = createCache({ name: 'express-router', prefix, redis, commandTimeout: '2s' })
    await cache.ready()
    let calls = 0
    const router = Router()
    router.get(
      '/products/:id',
      cacheResponses(cache, { ttl: '1m', tags: (req) => [`product:${(req as Request).params.id}`] }),
      (req, res) => {
        calls++
        res.json({ id: req.params.id, calls })
      },
    )
    const app = express()
    app.use('/catalog', router)
    app.use('/other', router)
    const server = http.createServer(app)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      expect((await get(`${base}/catalog/products/1`)).xcache).toBe('MISS')
      expect((await get(`${base}/catalog/products/1`)).xcache).toBe('HIT')
      // same router under another mount point: a different URL, so a different entry
      expect((await get(`${base}/other/products/1`)).xcache).toBe('MISS')
      expect((await get(`${base}/catalog/products/2`)).xcache).toBe('MISS')
      expect(calls).toBe(3)
      await cache.invalidateTags(['product:1'])
      expect((await get(`${base}/catalog/products/1`)).xcache).toBe('MISS')
      expect((await get(`${base}/other/products/1`)).xcache).toBe('MISS')
      expect((await get(`${base}/catalog/products/2`)).xcache).toBe('HIT')
      expect(calls).toBe(5)
    } finally {
      await new Promise((r) => server.close(r))
      await cache.close()
    }
  })
})
