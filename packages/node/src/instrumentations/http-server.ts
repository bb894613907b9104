/**
 * node:http / node:https server instrumentation, written for a short hot path: one span per
 * request (no per-middleware spans), one shared `close` listener (no per-request closures),
 * attribute objects built once per series for metrics, and context extraction only when a
 * trace header is present. Records http.server.request.duration, http.server.active_requests and
 * http.server.request.queue_time through the SDK's fast instruments. `url.path` is recorded
 * without query string and redacted as `urlRedaction` says; no request header is recorded, but
 * `user_agent.original` when `captureUserAgent` asks for it. An unsampled request whose span no
 * processor would read unless it fails gets a quiet span (trace/quiet-span.ts): no span object and
 * no start attributes are made, and the span is recorded afterwards only when the request failed
 * (an answer of 400 or more, an aborted response, or an error status set on it).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import { type RPCMetadata, RPCType, setRPCMetadata } from '@opentelemetry/core'
import type { SdkInstruments } from '../metrics/instruments.js'
import { recordedPath, type UrlRedaction } from '../privacy/url.js'
import { LinkedContext, linkable, withSpan } from '../trace/context.js'
import { QuietSpan } from '../trace/quiet-span.js'
import { OwnedAttributesOptions } from '../trace/span.js'
import { OtelkitTracer } from '../trace/tracer.js'
import { guarded } from './guarded.js'
import { normalizeMethod, parseQueueStart } from './http-common.js'
import { getHttpRoute } from './http-route.js'

const STATE = Symbol('otelkit.http.server')
const PATCHED = Symbol.for('otelkit.http.server.patched')

interface RequestState {
  /** The request's span: recorded, or quiet (trace/quiet-span.ts) when unsampled. */
  span: Span
  req: IncomingMessage
  startMs: number
  method: string
  scheme: string
  protocol: string
  rpc: RPCMetadata & { route?: string }
  /** The context node that makes `span` the active span, when it is a linked one. */
  spanNode: LinkedContext | undefined
}

/** The span and RPC metadata of a request's state until its span has started. */
const NOT_STARTED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT)
const NO_RPC: RPCMetadata = Object.freeze({ type: RPCType.HTTP, span: NOT_STARTED })

type TrackedResponse = ServerResponse & { [STATE]?: RequestState }

export interface HttpServerInstrumentationOptions {
  tracer: Tracer
  instruments: SdkInstruments
  /** Servers whose requests are not instrumented (the ops server). */
  ignoreServer: (server: unknown) => boolean
  /** How `url.path` is recorded. @default 'default' */
  urlRedaction?: UrlRedaction
  /** Record `user_agent.original`. @default false */
  captureUserAgent?: boolean
  /** Called after each request ends, with its final attributes (error tracking hooks in here). */
  onRequestEnd?: (req: IncomingMessage, res: ServerResponse, attributes: Attributes, span: Span) => void
}

let options: HttpServerInstrumentationOptions | undefined

/** The attributes builder of a method's series, made once per method (no closure per request). */
const methodAttributes = new Map<string, () => Attributes>()

function attributesOfMethod(method: string): () => Attributes {
  let build = methodAttributes.get(method)
  if (build === undefined) {
    build = () => ({ 'http.request.method': method })
    methodAttributes.set(method, build)
  }
  return build
}

/**
 * The duration series of the last request, reused while the next one has the same method, route,
 * status, scheme and protocol: the same key string (its hash already computed) and no new
 * attributes builder.
 */
let lastSeries:
  | {
      method: string
      route: string | undefined
      status: number
      errorType: string | undefined
      scheme: string
      protocol: string
      key: string
      /** The span name with a route: `GET /items/:id`. */
      name: string | undefined
      attributes: () => Attributes
    }
  | undefined

function durationSeries(
  method: string,
  route: string | undefined,
  status: number,
  errorType: string | undefined,
  scheme: string,
  protocol: string,
): { key: string; name: string | undefined; attributes: () => Attributes } {
  const last = lastSeries
  if (
    last !== undefined &&
    last.method === method &&
    last.route === route &&
    last.status === status &&
    last.errorType === errorType &&
    last.scheme === scheme &&
    last.protocol === protocol
  ) {
    return last
  }
  const series = {
    method,
    route,
    status,
    errorType,
    scheme,
    protocol,
    key: `${method}|${route ?? ''}|${status}|${errorType ?? ''}|${scheme}|${protocol}`,
    name: route === undefined ? undefined : `${method} ${route}`,
    attributes: () => {
      const attributes: Attributes = {
        'http.request.method': method,
        'http.response.status_code': status,
        'url.scheme': scheme,
        'network.protocol.version': protocol,
      }
      if (route !== undefined) attributes['http.route'] = route
      if (errorType !== undefined) attributes['error.type'] = errorType
      return attributes
    },
  }
  lastSeries = series
  return series
}

/** The host header's address and port, kept for the last host seen (hosts repeat). */
let lastHost: { header: string; address: string; port: number | undefined } | undefined

function parseHost(header: string): { address: string; port: number | undefined } {
  if (lastHost !== undefined && lastHost.header === header) return lastHost
  const colon = header.lastIndexOf(':')
  lastHost =
    colon > 0 && !header.endsWith(']')
      ? { header, address: header.slice(0, colon), port: Number(header.slice(colon + 1)) }
      : { header, address: header, port: undefined }
  return lastHost
}

function onResponseClose(this: TrackedResponse): void {
  const state = this[STATE]
  const opts = options
  if (state === undefined || opts === undefined) return
  this[STATE] = undefined
  const endMs = performance.now()
  const durationS = (endMs - state.startMs) / 1000
  const status = this.statusCode
  const route = getHttpRoute(state.req) ?? state.rpc.route
  const aborted = !this.writableFinished
  const errorType = status >= 500 ? String(status) : aborted ? 'aborted' : undefined
  const method = state.method
  const series = durationSeries(method, route, status, errorType, state.scheme, state.protocol)
  let span = state.span
  if (span instanceof QuietSpan) {
    const quiet = span
    // Only a failure is read by a processor (error tracking): then the span is made, late.
    if (status < 400 && errorType === undefined && !quiet.failed()) {
      quiet.close()
      endRequest(opts, this, state, series, status, route, durationS, endMs, quiet)
      return
    }
    span = (opts.tracer as OtelkitTracer).recordQuiet(quiet, requestAttributes(state))
    quiet.close()
  }
  span.setAttribute('http.response.status_code', status)
  if (route !== undefined) {
    span.setAttribute('http.route', route)
    span.updateName(series.name as string)
    // Every parameter value replaced by its name: the path is the template.
    if (opts.urlRedaction === 'route-params') span.setAttribute('url.path', route)
  }
  if (errorType !== undefined) {
    span.setAttribute('error.type', errorType)
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
  }
  if (span === state.span) {
    span.end()
    settleEndedSpan(state)
  } else span.end(endMs) // the late span of a quiet one: its end is the request's
  endRequest(opts, this, state, series, status, route, durationS, endMs, span)
}

/** Records a request's metrics once its span has ended, and calls the `onRequestEnd` hook. */
function endRequest(
  opts: HttpServerInstrumentationOptions,
  res: ServerResponse,
  state: RequestState,
  series: { key: string; attributes: () => Attributes },
  status: number,
  route: string | undefined,
  durationS: number,
  endMs: number,
  span: Span,
): void {
  const method = state.method
  const { instruments } = opts
  instruments.httpServerActive.add(method, -1, attributesOfMethod(method))
  instruments.httpServerDuration.record(
    series.key,
    durationS,
    series.attributes,
    span,
    performance.timeOrigin + endMs,
  )
  if (opts.onRequestEnd) {
    try {
      opts.onRequestEnd(
        state.req,
        res,
        { 'http.request.method': method, 'http.response.status_code': status, 'http.route': route },
        span,
      )
    } catch {
      // a hook must never break the response path
    }
  }
}

/**
 * Once the request's span has ended, its context answers with a stand-in of the same span context
 * (a non-recording span, as the API makes for a remote parent): what continues after the
 * response (logs, later child spans) still reads the same trace and span ids, and the ended span
 * with its attributes is no longer held by that context. Node keeps the request's async context
 * alive after the response: a keep-alive connection's idle timer is created while the response
 * finishes and holds it until the connection's next request, so without this every idle
 * connection kept its last request's span alive through V8's young-generation collections.
 */
function settleEndedSpan(state: RequestState): void {
  const standIn = trace.wrapSpanContext(state.span.spanContext())
  state.spanNode?.settle(standIn)
  state.rpc.span = standIn
}

const guardedResponseClose = guarded('http server', onResponseClose)

/** The path of a request target, without its query. */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '/'
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

/** Header names the global propagator reads (OTEL_PROPAGATORS), learnt on the first request. */
let propagationFields: string[] | undefined
/** Whether those are the default propagators' (tracecontext, baggage) and nothing else. */
let defaultFields = false

/** Whether a request carries any header of the configured propagators (else extraction is skipped). */
function carriesContext(headers: IncomingMessage['headers']): boolean {
  if (propagationFields === undefined) {
    propagationFields = propagation.fields().map((f) => f.toLowerCase())
    defaultFields =
      propagationFields.length === 3 &&
      ['traceparent', 'tracestate', 'baggage'].every((f) => propagationFields?.includes(f))
  }
  // The default headers read by name: a headers object's shape repeats from request to request,
  // so these loads stay monomorphic, where a keyed load per field name is megamorphic.
  if (defaultFields) {
    return (
      headers.traceparent !== undefined || headers.tracestate !== undefined || headers.baggage !== undefined
    )
  }
  for (const field of propagationFields) if (headers[field] !== undefined) return true
  return false
}

/** The start attributes of a request's span (made only when the span is recorded). */
function requestAttributes(state: RequestState): Attributes {
  const opts = options as HttpServerInstrumentationOptions
  const req = state.req
  const method = state.method
  const attributes: Attributes = {
    'http.request.method': method,
    'url.path': recordedPath(pathOf(req.url), opts.urlRedaction ?? 'default'),
    'url.scheme': state.scheme,
    'network.protocol.version': state.protocol,
  }
  if (method === '_OTHER') attributes['http.request.method_original'] = req.method
  const headers = req.headers
  const host = headers.host
  if (host !== undefined) {
    const parsed = parseHost(host)
    attributes['server.address'] = parsed.address
    if (parsed.port !== undefined) attributes['server.port'] = parsed.port
  }
  if (opts.captureUserAgent) {
    const ua = headers['user-agent']
    if (ua !== undefined) attributes['user_agent.original'] = ua
  }
  const clientAddress = req.socket?.remoteAddress
  if (clientAddress !== undefined) attributes['client.address'] = clientAddress
  return attributes
}

function startRequest(req: IncomingMessage, res: TrackedResponse, secure: boolean): Context {
  const opts = options as HttpServerInstrumentationOptions
  const startMs = performance.now()
  const method = normalizeMethod(req.method)
  const headers = req.headers
  const active = linkable(context.active())
  const parent = carriesContext(headers) ? propagation.extract(active, headers) : active
  const state: RequestState = {
    span: NOT_STARTED,
    req,
    startMs,
    method,
    scheme: secure ? 'https' : 'http',
    protocol: req.httpVersion,
    rpc: NO_RPC,
    spanNode: undefined,
  }
  const tracer = opts.tracer
  const span =
    tracer instanceof OtelkitTracer
      ? tracer.startRequestSpan(method, SpanKind.SERVER, parent, startMs, requestAttributes, state)
      : tracer.startSpan(
          method,
          new OwnedAttributesOptions(SpanKind.SERVER, requestAttributes(state)),
          parent,
        )
  const rpc: RPCMetadata = { type: RPCType.HTTP, span }
  const withServerSpan = withSpan(parent, span)
  state.span = span
  state.rpc = rpc
  state.spanNode = withServerSpan instanceof LinkedContext ? withServerSpan : undefined
  res[STATE] = state
  res.on('close', guardedResponseClose)
  opts.instruments.httpServerActive.add(method, 1, attributesOfMethod(method))
  const queueStart = parseQueueStart(headers['x-request-start'] ?? headers['x-queue-start'])
  if (queueStart !== undefined) {
    const waitS = Math.max(0, (Date.now() - queueStart) / 1000)
    opts.instruments.httpServerQueueTime.record(method, waitS, attributesOfMethod(method))
  }
  return setRPCMetadata(withServerSpan, rpc)
}

/**
 * Reads the peer address of each connection of an HTTP or HTTPS server as it is accepted, before
 * Node's HTTP layer adds its own properties to the socket. Node caches the address on the socket
 * (`_peername`) the first time it is read: read later, by the first sampled request of a
 * keep-alive connection (`client.address`), the property arrived at a different point of each
 * socket's life, which gave server sockets three more hidden classes than Node's own, and every
 * socket write in the process (`Socket._writeGeneric`, the `_handle` getter) went megamorphic:
 * about 2,600 instructions more per request of an Express + pg + Redis app (bench/instructions.mjs).
 * Read here, every socket gets it at the same point, and the classes stay as many as without otelkit.
 */
function onConnectionEvent(server: net.Server, event: unknown, socket: unknown): void {
  // http.Server takes connections on `connection`, https.Server on `secureConnection`.
  if (event !== 'connection' && event !== 'secureConnection') return
  if (!(socket instanceof net.Socket) || !('headersTimeout' in server)) return
  const tls = typeof (server as { addContext?: unknown }).addContext === 'function'
  if (tls === (event === 'secureConnection')) socket.remoteAddress
}

/**
 * Patches `emit` of net.Server.prototype, which http.Server and https.Server (through tls.Server)
 * both inherit: HTTPS servers are instrumented without loading node:https and TLS at start-up.
 * Only `request` events whose response is an http.ServerResponse are traced (not HTTP/2's
 * compatibility API, nor a plain net.Server emitting its own `request`).
 */
function patchServer(proto: object): void {
  const target = proto as Record<symbol, unknown> & { emit: (...args: unknown[]) => boolean }
  if (target[PATCHED]) return
  const original = target.emit
  target.emit = function emit(this: net.Server, event: unknown): boolean {
    if (event !== 'request' || options === undefined || options.ignoreServer(this as http.Server)) {
      // biome-ignore lint/complexity/noArguments: see below
      if (options !== undefined) onConnectionEvent(this, event, arguments[1])
      // biome-ignore lint/complexity/noArguments: forwards any event's arguments without copying
      return original.apply(this, arguments as unknown as unknown[])
    }
    // biome-ignore lint/complexity/noArguments: see above
    const args = arguments as unknown as [unknown, IncomingMessage, TrackedResponse]
    if (!(args[2] instanceof http.ServerResponse)) return original.apply(this, args)
    // https.Server is a tls.Server: it has addContext; http.Server has not.
    const secure = typeof (this as { addContext?: unknown }).addContext === 'function'
    let ctx: Context
    try {
      ctx = startRequest(args[1], args[2], secure)
    } catch {
      return original.apply(this, args)
    }
    return context.with(ctx, original, this, event, args[1], args[2])
  }
  target[PATCHED] = original
}

function unpatchServer(proto: object): void {
  const target = proto as unknown as Record<symbol, unknown> & { emit: unknown }
  const original = target[PATCHED]
  if (!original) return
  target.emit = original
  target[PATCHED] = undefined
}

/** The server span of a response still in flight (frameworks add exceptions to it). */
export function serverSpanOf(res: unknown): Span | undefined {
  return (res as TrackedResponse | undefined)?.[STATE]?.span
}

export function enableHttpServerInstrumentation(opts: HttpServerInstrumentationOptions): void {
  options = opts
  patchServer(net.Server.prototype)
}

export function disableHttpServerInstrumentation(): void {
  options = undefined
  unpatchServer(net.Server.prototype)
}
