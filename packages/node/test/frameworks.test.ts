/**
 * Route templates from the framework instrumentations (Koa with @koa/router, Hapi, Restify,
 * Connect, NestJS on its Express and Fastify adapters) reach otelkit's HTTP server span and
 * `http.server.request.duration` as `http.route`; unmatched paths never become a route. Each
 * framework loaded through `import` under `--import` and through `require` under `--require`.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { killAll, startService } from './support/service.js'

afterAll(() => killAll())

const FRAMEWORKS = [
  { framework: 'koa', item: '/items/:id', boom: '/boom/:id', boomPath: '/boom/1' },
  { framework: 'hapi', item: '/items/{id}', boom: '/boom/{id}', boomPath: '/boom/1' },
  { framework: 'restify', item: '/items/:id', boom: '/boom/:id', boomPath: '/boom/1' },
  // Connect has no route parameters: the template is the mount path.
  { framework: 'connect', item: '/items', boom: '/boom', boomPath: '/boom/1' },
  { framework: 'nest', item: '/items/:id', boom: '/items/boom/:id', boomPath: '/items/boom/1' },
  { framework: 'nest-fastify', item: '/items/:id', boom: '/items/boom/:id', boomPath: '/items/boom/1' },
]
const LOADERS = [
  { loader: 'import', preload: 'import' as const },
  { loader: 'require', preload: 'require' as const },
]

/** `http_server_request_duration_seconds_count` lines as { route, status, value }. */
function durations(text: string) {
  return text
    .split('\n')
    .filter((l) => l.startsWith('http_server_request_duration_seconds_count{'))
    .map((l) => ({
      route: /http_route="([^"]*)"/.exec(l)?.[1],
      status: /http_response_status_code="(\d+)"/.exec(l)?.[1],
      value: Number(l.slice(l.lastIndexOf(' ') + 1)),
    }))
}

describe.each(FRAMEWORKS)('$framework', ({ framework, item, boom, boomPath }) => {
  it.each(LOADERS)(
    'loaded by $loader: http.route is the template; a 404 has none',
    async ({ loader, preload }) => {
      const service = await startService({
        fixture: 'frameworks-app.mjs',
        preload,
        env: { FRAMEWORK: framework, LOADER: loader },
        timeoutMs: 60_000,
      })
      try {
        expect((await service.get('/items/42')).status).toBe(200)
        expect((await service.get('/items/43')).status).toBe(200)
        expect((await service.get(boomPath)).status).toBe(500)
        expect((await service.get('/nope/1')).status).toBe(404)
        const series = durations(await service.metrics())
        expect(series.find((s) => s.route === item && s.status === '200')?.value).toBe(2)
        expect(series.find((s) => s.route === boom && s.status === '500')?.value).toBe(1)
        const notFound = series.filter((s) => s.status === '404')
        expect(notFound.map((s) => s.route)).toEqual([undefined])
        expect(series.some((s) => s.route?.includes('42') || s.route?.includes('nope'))).toBe(false)
        expect(service.stderr()).not.toMatch(/could not be loaded|unhandled/)
      } finally {
        await service.stop()
      }
    },
    90_000,
  )
})
