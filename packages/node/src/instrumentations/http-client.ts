/**
 * node:http / node:https client instrumentation built on Node's `diagnostics_channel` events
 * (no module patching): a CLIENT span per outgoing request with W3C context injected into its
 * headers, ended when the response body completes or the request fails, and
 * http.client.request.duration recorded through the SDK's fast instruments. Requests made while
 * tracing is suppressed (the SDK's own exports) are skipped. `url.full` has no userinfo and no
 * query string, and its path is redacted as `urlRedaction` says. The span starts on
 * `http.client.request.created`, published while the request is made: by
 * `http.client.request.start` Node has already written the headers of a request that was ended
 * at once (`http.get`), and no trace context could be added to them.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import type { ClientRequest, IncomingMessage } from 'node:http'
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

const STATE = Symbol('otelkit.http.client')

interface ClientState {
  span: Span
  startMs: number
  method: string
  host: string
  port: number
  done: boolean
}

type TrackedRequest = ClientRequest & { [STATE]?: ClientState }
type TrackedResponse = IncomingMessage & { [STATE]?: ClientState }

export interface HttpClientInstrumentationOptions {
  tracer: Tracer
  instruments: SdkInstruments
  /** How the path of `url.full` is recorded (`route-params` redacts as `default`). @default 'default' */
  urlRedaction?: UrlRedaction
}

let options: HttpClientInstrumentationOptions | undefined

const headerSetter = {
  set(carrier: ClientRequest, key: string, value: string) {
    if (!carrier.headersSent) carrier.setHeader(key, value)
  },
}

function finish(state: ClientState, status: number | undefined, errorType: string | undefined): void {
  if (state.done || options === undefined) return
  state.done = true
  const { method, host, port } = state
  endClientRequest(state.span, options.instruments.httpClientDuration, {
    method,
    host,
    port,
    status,
    errorType,
    durationS: (performance.now() - state.startMs) / 1000,
  })
}

function onRequestStart(message: unknown): void {
  const opts = options
  if (opts === undefined) return
  const request = (message as { request: TrackedRequest }).request
  const active = context.active()
  if (isTracingSuppressed(active)) return
  const method = normalizeMethod(request.method)
  const host = request.host ?? 'localhost'
  const socketPort = (request as unknown as { agent?: { defaultPort?: number } }).agent?.defaultPort
  const hostHeader = request.getHeader('host')
  const portMatch = typeof hostHeader === 'string' ? /:(\d+)$/.exec(hostHeader) : null
  const port = portMatch ? Number(portMatch[1]) : (socketPort ?? 80)
  const protocol = request.protocol ?? 'http:'
  const path = recordedPath(request.path.split('?', 1)[0] as string, opts.urlRedaction ?? 'default')
  const attributes: Attributes = {
    'http.request.method': method,
    'server.address': host,
    'server.port': port,
    'url.full': `${protocol}//${host}${portMatch ? `:${port}` : ''}${path}`,
  }
  const span = opts.tracer.startSpan(method, new OwnedAttributesOptions(SpanKind.CLIENT, attributes), active)
  request[STATE] = { span, startMs: performance.now(), method, host, port, done: false }
  try {
    propagation.inject(trace.setSpan(active, span), request, headerSetter)
  } catch {
    // headers were already written (array headers): the request goes out without trace context
  }
}

function onResponseClose(this: TrackedResponse): void {
  const state = this[STATE]
  if (state === undefined) return
  const status = this.statusCode
  finish(
    state,
    status,
    status !== undefined && status >= 400 ? String(status) : this.complete ? undefined : 'aborted',
  )
}

function onResponseFinish(message: unknown): void {
  const { request, response } = message as { request: TrackedRequest; response: TrackedResponse }
  const state = request[STATE]
  if (state === undefined) return
  response[STATE] = state
  response.on('close', guardedResponseClose)
}

function onRequestError(message: unknown): void {
  const { request, error } = message as { request: TrackedRequest; error: NodeJS.ErrnoException }
  const state = request[STATE]
  if (state === undefined) return
  state.span.recordException(error)
  finish(state, undefined, error?.code ?? error?.name ?? 'Error')
}

const guardedResponseClose = guarded('http client', onResponseClose)
const guardedStart = guarded('http client', onRequestStart)
const guardedFinish = guarded('http client', onResponseFinish)
const guardedError = guarded('http client', onRequestError)

export function enableHttpClientInstrumentation(opts: HttpClientInstrumentationOptions): void {
  if (options === undefined) {
    diagnosticsChannel.subscribe('http.client.request.created', guardedStart)
    diagnosticsChannel.subscribe('http.client.response.finish', guardedFinish)
    diagnosticsChannel.subscribe('http.client.request.error', guardedError)
  }
  options = opts
}

export function disableHttpClientInstrumentation(): void {
  if (options === undefined) return
  diagnosticsChannel.unsubscribe('http.client.request.created', guardedStart)
  diagnosticsChannel.unsubscribe('http.client.response.finish', guardedFinish)
  diagnosticsChannel.unsubscribe('http.client.request.error', guardedError)
  options = undefined
}
