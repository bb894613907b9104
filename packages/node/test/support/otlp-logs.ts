/**
 * Decodes OTLP log export requests (/v1/logs) for the test receiver, in protobuf and JSON:
 * each log record's body, severity, trace and span ids, attributes, scope and resource.
 */
import { type Field, readFields } from './otlp-receiver.js'

export interface ReceivedLog {
  body: string
  severityNumber: number
  severityText: string
  /** Hex; '' when the record was written outside a span. */
  traceId: string
  spanId: string
  scope: string
  attributes: Record<string, string | number | boolean>
  resource: Record<string, string | number | boolean>
  service: string
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

export function logsFromJson(body: string): ReceivedLog[] {
  const doc = JSON.parse(body)
  const out: ReceivedLog[] = []
  for (const rl of doc.resourceLogs ?? []) {
    const resource = jsonAttributes(rl.resource?.attributes)
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        out.push({
          body: String(r.body?.stringValue ?? ''),
          severityNumber: Number(r.severityNumber ?? 0),
          severityText: r.severityText ?? '',
          traceId: r.traceId ?? '',
          spanId: r.spanId ?? '',
          scope: sl.scope?.name ?? '',
          attributes: jsonAttributes(r.attributes),
          resource,
          service: String(resource['service.name'] ?? ''),
        })
      }
    }
  }
  return out
}

const sub = (fields: Field[], no: number) => fields.filter((f) => f.no === no).map((f) => f.value as Buffer)
const str = (fields: Field[], no: number) => sub(fields, no)[0]?.toString('utf8') ?? ''
const num = (fields: Field[], no: number) => Number((fields.find((f) => f.no === no)?.value as bigint) ?? 0n)
const EMPTY = Buffer.alloc(0)

/** An AnyValue as text (strings as they are, numbers and booleans printed). */
function anyValue(buf: Buffer | undefined): string {
  const value = readFields(buf ?? EMPTY)[0]
  if (value === undefined) return ''
  if (value.no === 1) return (value.value as Buffer).toString('utf8')
  if (value.no === 4) return String((value.value as Buffer).readDoubleLE(0))
  return String(value.value)
}

function protoAttributes(list: Buffer[]) {
  const out: Record<string, string | number | boolean> = {}
  for (const kv of list) {
    const f = readFields(kv)
    const value = readFields(sub(f, 2)[0] ?? EMPTY)[0]
    if (value === undefined) continue
    const key = str(f, 1)
    if (value.no === 1) out[key] = (value.value as Buffer).toString('utf8')
    else if (value.no === 2) out[key] = (value.value as bigint) !== 0n
    else if (value.no === 3) out[key] = Number(BigInt.asIntN(64, value.value as bigint))
    else if (value.no === 4) out[key] = (value.value as Buffer).readDoubleLE(0)
  }
  return out
}

export function logsFromProtobuf(body: Buffer): ReceivedLog[] {
  const out: ReceivedLog[] = []
  for (const rlBuf of sub(readFields(body), 1)) {
    const rl = readFields(rlBuf)
    const resource = protoAttributes(sub(readFields(sub(rl, 1)[0] ?? EMPTY), 1))
    for (const slBuf of sub(rl, 2)) {
      const sl = readFields(slBuf)
      const scope = str(readFields(sub(sl, 1)[0] ?? EMPTY), 1)
      for (const recordBuf of sub(sl, 2)) {
        const r = readFields(recordBuf)
        out.push({
          body: anyValue(sub(r, 5)[0]),
          severityNumber: num(r, 2),
          severityText: str(r, 3),
          traceId: sub(r, 9)[0]?.toString('hex') ?? '',
          spanId: sub(r, 10)[0]?.toString('hex') ?? '',
          scope,
          attributes: protoAttributes(sub(r, 6)),
          resource,
          service: String(resource['service.name'] ?? ''),
        })
      }
    }
  }
  return out
}

/** Decodes one /v1/logs request body by its content type. */
export function decodeLogs(contentType: string, body: Buffer): ReceivedLog[] {
  return contentType.includes('json') ? logsFromJson(body.toString('utf8')) : logsFromProtobuf(body)
}
