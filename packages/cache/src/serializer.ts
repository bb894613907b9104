/**
 * Serializers turn values into bytes for Redis and back. The default is JSON that also round-trips
 * Buffer, Date and BigInt (tagged as {"$otelkit":type,"v":...}); values without such types take the
 * plain JSON.stringify / JSON.parse path, which the envelope flags so reads skip the reviver.
 */

/** How values become bytes. `serialize` may return a string (UTF-8) or bytes. */
export interface Serializer {
  /** Short stable name, stored in no key: changing serializer requires a version bump. */
  readonly name: string
  serialize(value: unknown): string | Uint8Array
  deserialize(data: Buffer): unknown
}

const TAG = '$otelkit'

/** Result of the JSON serializer: the text and whether it holds tagged (special) values. */
export interface JsonEncoded {
  text: string
  tagged: boolean
}

let sawTagged = false

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key]
  switch (typeof original) {
    case 'bigint':
      sawTagged = true
      return { [TAG]: 'n', v: original.toString() }
    case 'function':
    case 'symbol':
      throw new TypeError(`values of type ${typeof original} cannot be cached`)
    case 'object':
      if (original instanceof Date) {
        sawTagged = true
        return { [TAG]: 'd', v: Number.isNaN(original.getTime()) ? null : original.toISOString() }
      }
      if (Buffer.isBuffer(original)) {
        sawTagged = true
        return { [TAG]: 'b', v: original.toString('base64') }
      }
      if (original instanceof Map) {
        sawTagged = true
        return { [TAG]: 'm', v: [...original] }
      }
      if (original instanceof Set) {
        sawTagged = true
        return { [TAG]: 's', v: [...original] }
      }
      return value
    default:
      return value
  }
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && TAG in value) {
    const v = (value as unknown as { v: unknown }).v
    switch ((value as Record<string, unknown>)[TAG]) {
      case 'n':
        return BigInt(v as string)
      case 'd':
        return new Date(v === null ? Number.NaN : (v as string))
      case 'b':
        return Buffer.from(v as string, 'base64')
      case 'm':
        return new Map(v as Array<[unknown, unknown]>)
      case 's':
        return new Set(v as unknown[])
    }
  }
  return value
}

/** Encodes a value as JSON; throws TypeError for functions, symbols and cycles. */
export function jsonEncode(value: unknown): JsonEncoded {
  sawTagged = false
  const text = JSON.stringify(value, replacer)
  if (text === undefined) throw new TypeError('undefined cannot be cached')
  return { text, tagged: sawTagged }
}

/** Decodes JSON text, reviving tagged values only when `tagged`. */
export function jsonDecode(text: string, tagged: boolean): unknown {
  return tagged ? JSON.parse(text, reviver) : JSON.parse(text)
}

/** The default serializer as a Serializer object (used when a caller wants it explicitly). */
export const jsonSerializer: Serializer = {
  name: 'json',
  serialize: (value) => jsonEncode(value).text,
  deserialize: (data) => JSON.parse(data.toString('utf8'), reviver),
}

/** The subset of `@msgpack/msgpack` the msgpack serializer needs. */
export interface MsgpackModule {
  encode(value: unknown, options?: Record<string, unknown>): Uint8Array
  decode(data: Uint8Array, options?: Record<string, unknown>): unknown
}

/**
 * A MessagePack serializer over `@msgpack/msgpack` (pass the module:
 * `msgpackSerializer(await import('@msgpack/msgpack'))`). BigInt uses int64, Date the timestamp
 * extension; binary values come back as Uint8Array.
 */
export function msgpackSerializer(msgpack: MsgpackModule): Serializer {
  const options = { useBigInt64: true }
  return {
    name: 'msgpack',
    serialize: (value) => msgpack.encode(value, options),
    deserialize: (data) => msgpack.decode(data, options),
  }
}
