/**
 * An OTLP/HTTP receiver for tests: accepts /v1/traces, /v1/metrics and /v1/logs in JSON and
 * protobuf, keeps the decoded spans and log records (otlp-logs.ts) and every request's raw body
 * (gunzipped) and headers. With `tls` it serves HTTPS (mTLS when it asks for client
 * certificates) and counts refused handshakes. Protobuf is decoded with a
 * minimal wire-format reader (enough for span names, ids, kinds and string/int attributes).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { decodeLogs, type ReceivedLog } from './otlp-logs.js'

export type { ReceivedLog } from './otlp-logs.js'

export interface ReceivedSpan {
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  kind: number
  scope: string
  attributes: Record<string, string | number | boolean>
  statusCode: number
  service: string
  /** The attributes of the span's resource. */
  resource: Record<string, string | number | boolean>
  /** OTLP `dropped_attributes_count` (attributes over the count limit). */
  droppedAttributesCount: number
  droppedEventsCount: number
  droppedLinksCount: number
  events: ReceivedRecord[]
  links: ReceivedRecord[]
}

/** A span event (with its name) or link: attributes and how many were dropped. */
export interface ReceivedRecord {
  name?: string
  attributes: Record<string, string | number | boolean>
  droppedAttributesCount: number
}

export interface OtlpReceiver {
  url: string
  spans: ReceivedSpan[]
  /** Log records received on /v1/logs. */
  logs: ReceivedLog[]
  /** Every request, with the status it was answered, its headers and body (refused ones too). */
  requests: Array<{
    path: string
    contentType: string
    bytes: number
    status: number
    body: Buffer
    headers: IncomingHttpHeaders
    /** The client's port: requests on one kept-alive connection share it. */
    clientPort: number
  }>
  /** TLS handshakes the server refused (e.g. a client without the required certificate). */
  tlsErrors: string[]
  close(): Promise<void>
  /** Resolves once `predicate(spans)` holds (polls; rejects after `timeoutMs`). */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<void>
  /** Resolves once `predicate(logs)` holds (polls; rejects after `timeoutMs`). */
  waitForLogs(predicate: (logs: ReceivedLog[]) => boolean, timeoutMs?: number): Promise<void>
}

type JsonValue = {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
}

function jsonAttributes(list: Array<{ key: string; value: JsonValue }> | undefined) {
  const out: Record<string, string | number | boolean> = {}
  for (const { key, value } of list ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue
    else if (value.intValue !== undefined) out[key] = Number(value.intValue)
    else if (value.boolValue !== undefined) out[key] = value.boolValue
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue
  }
  return out
}

function jsonRecord(r: {
  name?: string
  attributes?: Array<{ key: string; value: JsonValue }>
  droppedAttributesCount?: number
}): ReceivedRecord {
  return {
    ...(r.name !== undefined ? { name: r.name } : {}),
    attributes: jsonAttributes(r.attributes),
    droppedAttributesCount: r.droppedAttributesCount ?? 0,
  }
}

function fromJson(body: string): ReceivedSpan[] {
  const doc = JSON.parse(body)
  const spans: ReceivedSpan[] = []
  for (const rs of doc.resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes)
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          scope: ss.scope?.name ?? '',
          attributes: jsonAttributes(s.attributes),
          statusCode: s.status?.code ?? 0,
          service: String(resource['service.name'] ?? ''),
          resource,
          droppedAttributesCount: s.droppedAttributesCount ?? 0,
          droppedEventsCount: s.droppedEventsCount ?? 0,
          droppedLinksCount: s.droppedLinksCount ?? 0,
          events: (s.events ?? []).map(jsonRecord),
          links: (s.links ?? []).map(jsonRecord),
        })
      }
    }
  }
  return spans
}

// --- minimal protobuf reader -------------------------------------------------------------
export type Field = { no: number; wire: number; value: bigint | Buffer }

export function readFields(buf: Buffer): Field[] {
  const fields: Field[] = []
  let i = 0
  const varint = (): bigint => {
    let result = 0n
    let shift = 0n
    for (;;) {
      const b = buf[i++] as number
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return result
      shift += 7n
    }
  }
  while (i < buf.length) {
    const key = Number(varint())
    const no = key >> 3
    const wire = key & 7
    if (wire === 0) fields.push({ no, wire, value: varint() })
    else if (wire === 2) {
      const len = Number(varint())
      fields.push({ no, wire, value: buf.subarray(i, i + len) })
      i += len
    } else if (wire === 1) {
      fields.push({ no, wire, value: buf.subarray(i, i + 8) })
      i += 8
    } else if (wire === 5) {
      fields.push({ no, wire, value: buf.subarray(i, i + 4) })
      i += 4
    } else throw new Error(`unsupported wire type ${wire}`)
  }
  return fields
}

const sub = (fields: Field[], no: number) => fields.filter((f) => f.no === no).map((f) => f.value as Buffer)
const str = (fields: Field[], no: number) => sub(fields, no)[0]?.toString('utf8') ?? ''
const num = (fields: Field[], no: number) => Number((fields.find((f) => f.no === no)?.value as bigint) ?? 0n)

function protoAttributes(list: Buffer[]) {
  const out: Record<string, string | number | boolean> = {}
  for (const kv of list) {
    const f = readFields(kv)
    const key = str(f, 1)
    const value = readFields(sub(f, 2)[0] ?? Buffer.alloc(0))
    const s = value.find((v) => v.no === 1)
    const b = value.find((v) => v.no === 2)
    const n = value.find((v) => v.no === 3)
    const d = value.find((v) => v.no === 4)
    if (s) out[key] = (s.value as Buffer).toString('utf8')
    else if (b) out[key] = (b.value as bigint) !== 0n
    else if (n) out[key] = Number(BigInt.asIntN(64, n.value as bigint))
    else if (d) out[key] = (d.value as Buffer).readDoubleLE(0)
  }
  return out
}

/** An event (attributes 3, dropped 4, name 2) or a link (attributes 4, dropped 5). */
function protoRecord(f: Field[], attributes: number, dropped: number, name?: number): ReceivedRecord {
  return {
    ...(name !== undefined ? { name: str(f, name) } : {}),
    attributes: protoAttributes(sub(f, attributes)),
    droppedAttributesCount: num(f, dropped),
  }
}

export function fromProtobuf(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = []
  for (const rsBuf of sub(readFields(body), 1)) {
    const rs = readFields(rsBuf)
    const resource = protoAttributes(sub(readFields(sub(rs, 1)[0] ?? Buffer.alloc(0)), 1))
    for (const ssBuf of sub(rs, 2)) {
      const ss = readFields(ssBuf)
      const scope = str(readFields(sub(ss, 1)[0] ?? Buffer.alloc(0)), 1)
      for (const spanBuf of sub(ss, 2)) {
        const s = readFields(spanBuf)
        const status = readFields(sub(s, 15)[0] ?? Buffer.alloc(0))
        spans.push({
          traceId: sub(s, 1)[0]?.toString('hex') ?? '',
          spanId: sub(s, 2)[0]?.toString('hex') ?? '',
          parentSpanId: sub(s, 4)[0]?.toString('hex') ?? '',
          name: str(s, 5),
          kind: num(s, 6),
          scope,
          attributes: protoAttributes(sub(s, 9)),
          statusCode: num(status, 3),
          service: String(resource['service.name'] ?? ''),
          resource,
          droppedAttributesCount: num(s, 10),
          droppedEventsCount: num(s, 12),
          droppedLinksCount: num(s, 14),
          events: sub(s, 11).map((e) => protoRecord(readFields(e), 3, 4, 2)),
          links: sub(s, 13).map((l) => protoRecord(readFields(l), 4, 5)),
        })
      }
    }
  }
  return spans
}

/** A programmed answer of the receiver (see {@link ReceiverOptions.respond}). */
export interface ReceiverReply {
  status: number
  headers?: Record<string, string>
  body?: string | Buffer
  /** Whether the request's spans count as received (default: for 2xx statuses). */
  accept?: boolean
}

/** Options of {@link startOtlpReceiver}. */
export interface ReceiverOptions {
  /**
   * Answers request number `n` (0-based, all paths) instead of the default 200; `undefined`
   * keeps the default. E.g. `(n) => (n < 2 ? { status: 503 } : undefined)`: 503 twice, then 200.
   */
  respond?: (n: number, path: string) => ReceiverReply | undefined
  /** Serve HTTPS with this key and certificate (PEM); `ca` set: mTLS, clients must present a certificate it signed. */
  tls?: { key: Buffer; cert: Buffer; ca?: Buffer }
  /** How long an idle connection is kept (Node announces it as `Keep-Alive: timeout=N`). @default 5000 */
  keepAliveTimeoutMs?: number
}

export function startOtlpReceiver(options: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const logs: ReceivedLog[] = []
  const requests: OtlpReceiver['requests'] = []
  const tlsErrors: string[] = []
  const tls = options.tls
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
      const contentType = String(req.headers['content-type'] ?? '')
      const reply = options.respond?.(requests.length, req.url ?? '')
      requests.push({
        path: req.url ?? '',
        contentType,
        bytes: raw.length,
        status: reply?.status ?? 200,
        body,
        headers: req.headers,
        clientPort: req.socket.remotePort as number,
      })
      if (reply !== undefined && !(reply.accept ?? (reply.status >= 200 && reply.status < 300))) {
        res.writeHead(reply.status, reply.headers).end(reply.body ?? '')
        return
      }
      try {
        if (reply !== undefined) {
          if (req.url === '/v1/traces')
            spans.push(
              ...(contentType.includes('json') ? fromJson(body.toString('utf8')) : fromProtobuf(body)),
            )
          if (req.url === '/v1/logs') logs.push(...decodeLogs(contentType, body))
          res.writeHead(reply.status, reply.headers).end(reply.body ?? '')
          return
        }
        if (req.url === '/v1/traces') {
          spans.push(...(contentType.includes('json') ? fromJson(body.toString('utf8')) : fromProtobuf(body)))
        }
        if (req.url === '/v1/logs') logs.push(...decodeLogs(contentType, body))
        res
          .writeHead(200, { 'content-type': contentType || 'application/json' })
          .end(contentType.includes('json') ? '{}' : '')
      } catch (error) {
        res.writeHead(400).end(String(error))
      }
    })
  }
  const server: Server = tls
    ? (createHttpsServer(
        {
          key: tls.key,
          cert: tls.cert,
          ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        handler,
      ) as unknown as Server)
    : createServer(handler)
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs
  server.on('tlsClientError', (error: Error) => tlsErrors.push(error.message))
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
        tlsErrors,
        spans,
        logs,
        requests,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections()
            server.close(() => r())
          }),
        async waitFor(predicate, timeoutMs = 15_000) {
          const deadline = Date.now() + timeoutMs
          while (!predicate(spans)) {
            if (Date.now() > deadline)
              throw new Error(`timed out waiting for spans; have: ${spans.map((s) => s.name).join(', ')}`)
            await new Promise((r) => setTimeout(r, 50))
          }
        },
        async waitForLogs(predicate, timeoutMs = 15_000) {
          const deadline = Date.now() + timeoutMs
          while (!predicate(logs)) {
            if (Date.now() > deadline)
              throw new Error(
                `timed out waiting for log records; have: ${logs.map((l) => l.body).join(', ')}`,
              )
            await new Promise((r) => setTimeout(r, 50))
          }
        },
      })
    })
  })
}
