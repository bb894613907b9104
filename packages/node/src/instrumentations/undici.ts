/**
 * fetch / undici client instrumentation on undici's `diagnostics_channel` events (no module
 * loading, no patching): a CLIENT span per request with W3C context injected, ended when the
 * response completes or fails, and http.client.request.duration through the fast instruments.
 * Requests made while tracing is suppressed (the SDK's own exports) are skipped. `url.full` has
 * no userinfo and no query string, and its path is redacted as `urlRedaction` says.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { isTracingSuppressed } from '@opentelemetry/core'
import type { SdkInstruments } from '../metrics/instruments.js'
import { recordedPath, type UrlRedaction } from '../privacy/url.js'
import { OwnedAttributesOptions } from '../trace/span.js'
import { guarded } from './guarded.js'
import { endClientRequest, normalizeMethod } from './http-common.js'

const STATE = Symbol('otelkit.undici')

interface UndiciRequest {
  origin: string | URL
  method: string
  path: string
  headers: string | string[]
  addHeader?: (name: string, value: string) => void
  [STATE]?: RequestState
}

interface RequestState {
  span: Span
  startMs: number
  method: string
  host: string
  port: number
  status: number | undefined
}

export interface UndiciInstrumentationOptions {
  tracer: Tracer
  instruments: SdkInstruments
  /** How the path of `url.full` is recorded (`route-params` redacts as `default`). @default 'default' */
  urlRedaction?: UrlRedaction
}

let options: UndiciInstrumentationOptions | undefined

function addHeader(request: UndiciRequest, name: string, value: string): void {
  if (typeof request.addHeader === 'function') request.addHeader(name, value)
  else if (Array.isArray(request.headers)) request.headers.push(name, value)
  else if (typeof request.headers === 'string') request.headers += `${name}: ${value}\r\n`
}

const headerSetter = {
  set(carrier: UndiciRequest, key: string, value: string) {
    addHeader(carrier, key, value)
  },
}

function onCreate(message: unknown): void {
  const opts = options
  if (opts === undefined) return
  const request = (message as { request: UndiciRequest }).request
  const active = context.active()
  if (isTracingSuppressed(active)) return
  let origin: URL
  try {
    origin = typeof request.origin === 'string' ? new URL(request.origin) : request.origin
  } catch {
    return
  }
  const method = normalizeMethod(request.method)
  const host = origin.hostname
  const port = origin.port ? Number(origin.port) : origin.protocol === 'https:' ? 443 : 80
  const attributes: Attributes = {
    'http.request.method': method,
    'server.address': host,
    'server.port': port,
    'url.full': `${origin.origin}${recordedPath(request.path.split('?', 1)[0] as string, opts.urlRedaction ?? 'default')}`,
  }
  const span = opts.tracer.startSpan(method, new OwnedAttributesOptions(SpanKind.CLIENT, attributes), active)
  request[STATE] = { span, startMs: performance.now(), method, host, port, status: undefined }
  try {
    propagation.inject(trace.setSpan(active, span), request, headerSetter)
  } catch {
    // headers not writable: the request goes out without trace context
  }
}

function finish(request: UndiciRequest, errorType: string | undefined): void {
  const state = request[STATE]
  if (state === undefined || options === undefined) return
  request[STATE] = undefined
  const { span, method, host, port, status } = state
  endClientRequest(span, options.instruments.httpClientDuration, {
    method,
    host,
    port,
    status,
    errorType: errorType ?? (status !== undefined && status >= 400 ? String(status) : undefined),
    durationS: (performance.now() - state.startMs) / 1000,
  })
}

function onHeaders(message: unknown): void {
  const { request, response } = message as { request: UndiciRequest; response: { statusCode: number } }
  const state = request[STATE]
  if (state !== undefined) state.status = response.statusCode
}

function onTrailers(message: unknown): void {
  finish((message as { request: UndiciRequest }).request, undefined)
}

function onError(message: unknown): void {
  const { request, error } = message as { request: UndiciRequest; error: NodeJS.ErrnoException }
  const state = request[STATE]
  if (state === undefined) return
  state.span.recordException(error)
  finish(request, error?.code ?? error?.name ?? 'Error')
}

const CHANNELS: Array<[string, (message: unknown) => void]> = [
  ['undici:request:create', guarded('fetch', onCreate)],
  ['undici:request:headers', guarded('fetch', onHeaders)],
  ['undici:request:trailers', guarded('fetch', onTrailers)],
  ['undici:request:error', guarded('fetch', onError)],
]

export function enableUndiciInstrumentation(opts: UndiciInstrumentationOptions): void {
  if (options === undefined) for (const [name, fn] of CHANNELS) diagnosticsChannel.subscribe(name, fn)
  options = opts
}

export function disableUndiciInstrumentation(): void {
  if (options === undefined) return
  for (const [name, fn] of CHANNELS) diagnosticsChannel.unsubscribe(name, fn)
  options = undefined
}
