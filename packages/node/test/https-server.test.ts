/**
 * HTTPS servers through the real preload, which instruments them without loading node:https
 * itself: a request to an https.Server gets a server span with url.scheme "https" and counts in
 * http.server.request.duration; an HTTP/2 server's compatibility requests are left alone and
 * still answered.
 */
import http2 from 'node:http2'
import { request } from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestCertificates } from './support/certificates.js'
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js'
import { exportTo, killAll, type RunningService, seriesValue, startService } from './support/service.js'

const SERVER = 2
const certs = makeTestCertificates()
let receiver: OtlpReceiver
let service: RunningService

beforeAll(async () => {
  receiver = await startOtlpReceiver()
  service = await startService({
    fixture: 'https-app.mjs',
    env: {
      TLS_KEY: certs.server.keyPath,
      TLS_CERT: certs.server.certPath,
      ...exportTo(receiver, 'https-app'),
      OTELKIT_METRICS_CACHE: '0',
    },
  })
})
afterAll(async () => {
  await service?.stop()
  killAll()
  await receiver.close()
  certs.remove()
})

function httpsGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca: certs.ca.cert, servername: 'localhost' },
      (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

function http2Get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://localhost:${port}`, { ca: certs.ca.cert })
    session.on('error', reject)
    const stream = session.request({ ':path': path })
    let body = ''
    stream.setEncoding('utf8').on('data', (c) => {
      body += c
    })
    stream.on('end', () => {
      session.close()
      resolve(body)
    })
    stream.on('error', reject)
  })
}

describe('HTTPS under the preload', () => {
  it('traces https.Server requests with url.scheme "https" and counts them', async () => {
    expect(await httpsGet(service.port, '/hello')).toEqual({ status: 200, body: 'hello' })
    await receiver.waitFor((spans) => spans.some((s) => s.service === 'https-app' && s.kind === SERVER))
    const span = receiver.spans.find((s) => s.service === 'https-app' && s.kind === SERVER)
    expect(span?.attributes['url.scheme']).toBe('https')
    expect(span?.attributes['http.response.status_code']).toBe(200)
    const metrics = await service.metrics()
    expect(
      seriesValue(metrics, 'http_server_request_duration_seconds_count', ['url_scheme="https"']),
      metrics,
    ).toBe(1)
  })

  it('leaves HTTP/2 compatibility requests alone: answered, not traced as HTTP/1', async () => {
    const h2Port = Number(/h2 (\d+)/.exec(service.stdout())?.[1])
    expect(await http2Get(h2Port, '/hello')).toBe('hello')
    const metrics = await service.metrics()
    expect(seriesValue(metrics, 'http_server_request_duration_seconds_count')).toBe(1)
    expect(service.stderr()).not.toMatch(/error|TypeError/)
  })
})
