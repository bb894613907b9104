/**
 * Serializers turn values into bytes for Redis and back. The default is JSON that also round-trips
 * Buffer, Date, BigInt, Map and Set (tagged as {"$otelkit":type,"v":...}, revived by revive.ts);
 * values without such types take the plain JSON.stringify / JSON.parse path, which the envelope
 * flags so reads skip the revival pass.
 */
import type { DecodeLimits } from './entry-limits.js'
import { DEFAULTS } from './options.js'
import { revive, TAG } from './revive.js'

/** How values become bytes. `serialize` may return a string (UTF-8) or bytes. */
export interface Serializer {
  /** Short stable name, stored in no key: changing serializer requires a version bump. */
  readonly name: string
  serialize(value: unknown): string | Uint8Array
  deserialize(data: Buffer): unknown
}

/** Result of the JSON serializer: the text, whether it holds tagged (special) values, and the most digits of a BigInt in it. */
export interface JsonEncoded {
  text: string
  tagged: boolean
  bigIntDigits: number
}

let sawTagged = false
let bigIntDigits = 0

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key]
  switch (typeof original) {
    case 'bigint': {
      sawTagged = true
      const v = original.toString()
      bigIntDigits = Math.max(bigIntDigits, v.length - (original < 0n ? 1 : 0))
      return { [TAG]: 'n', v }
    }
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

/** Encodes a value as JSON; throws TypeError for functions, symbols and cycles. */
export function jsonEncode(value: unknown): JsonEncoded {
  sawTagged = false
  bigIntDigits = 0
  const text = JSON.stringify(value, replacer)
  if (text === undefined) throw new TypeError('undefined cannot be cached')
  return { text, tagged: sawTagged, bigIntDigits }
}

/** Decodes JSON text, reviving tagged values only when `tagged` (BigInts bounded by `limits`). */
export function jsonDecode(
  text: string,
  tagged: boolean,
  limits: Pick<DecodeLimits, 'bigIntDigits'>,
): unknown {
  return tagged ? revive(JSON.parse(text), limits) : JSON.parse(text)
}

/** BigInt bound of the standalone jsonSerializer (the cache's default `maxBigIntDigits`). */
const SERIALIZER_LIMITS = { bigIntDigits: DEFAULTS.maxBigIntDigits }

/** The default serializer as a Serializer object (used when a caller wants it explicitly). */
export const jsonSerializer: Serializer = {
  name: 'json',
  serialize: (value) => jsonEncode(value).text,
  deserialize: (data) => revive(JSON.parse(data.toString('utf8')), SERIALIZER_LIMITS),
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
