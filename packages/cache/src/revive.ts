/**
 * Revives the tagged values of the JSON serializer (`{"$otelkit": type, "v": ...}`: BigInt, Date,
 * Buffer, Map, Set) after a plain JSON.parse, in one iterative pass over the parsed tree, children
 * before parents. A JSON.parse reviver did this before; V8 calls it for every value of the document
 * and it took seconds on a 1 MB array. Each tagged value is checked before it is built (a BigInt of
 * more than `bigIntDigits` digits is rejected before BigInt() parses it); no recursion, so a deeply
 * nested document cannot overflow the stack.
 */
import { type DecodeLimits, malformed, tooLarge } from './entry-limits.js'

export const TAG = '$otelkit'
const DIGITS = /^-?\d+$/

type Tagged = { [TAG]: unknown; v: unknown }
type Container = Record<string, unknown> | unknown[]

function isTagged(value: unknown): value is Tagged {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, TAG)
}

/** Replaces every tagged object in `root` (parsed JSON) by the value it stands for. */
export function revive(root: unknown, limits: Pick<DecodeLimits, 'bigIntDigits'>): unknown {
  if (root === null || typeof root !== 'object') return root
  // pre-order list of containers: each one comes before all of its descendants
  const containers: Container[] = []
  const stack: Container[] = [root as Container]
  while (stack.length > 0) {
    const node = stack.pop()!
    containers.push(node)
    if (Array.isArray(node)) {
      for (const child of node)
        if (child !== null && typeof child === 'object') stack.push(child as Container)
    } else {
      for (const key in node) {
        const child = node[key]
        if (child !== null && typeof child === 'object') stack.push(child as Container)
      }
    }
  }
  // in reverse, the children of a tagged object are revived before the object itself is built
  for (let i = containers.length - 1; i >= 0; i--) {
    const node = containers[i]!
    if (Array.isArray(node)) {
      for (let j = 0; j < node.length; j++) if (isTagged(node[j])) node[j] = build(node[j] as Tagged, limits)
    } else {
      for (const key in node) if (isTagged(node[key])) node[key] = build(node[key] as Tagged, limits)
    }
  }
  return isTagged(root) ? build(root, limits) : root
}

function build(tagged: Tagged, limits: Pick<DecodeLimits, 'bigIntDigits'>): unknown {
  const v = tagged.v
  switch (tagged[TAG]) {
    case 'n': {
      if (typeof v !== 'string') throw malformed('a BigInt that is not a string of digits')
      const digits = v.length - (v.startsWith('-') ? 1 : 0)
      if (digits > limits.bigIntDigits)
        throw tooLarge(`a BigInt of ${digits} digits, more than maxBigIntDigits (${limits.bigIntDigits})`)
      if (!DIGITS.test(v)) throw malformed('a BigInt that is not a string of digits')
      return BigInt(v)
    }
    case 'd':
      if (v !== null && typeof v !== 'string') throw malformed('a Date that is not a string')
      return new Date(v === null ? Number.NaN : v)
    case 'b':
      if (typeof v !== 'string') throw malformed('a Buffer that is not a base64 string')
      return Buffer.from(v, 'base64')
    case 'm':
      if (!Array.isArray(v)) throw malformed('a Map that is not an array of entries')
      return new Map(v as Array<[unknown, unknown]>)
    case 's':
      if (!Array.isArray(v)) throw malformed('a Set that is not an array')
      return new Set(v)
    default:
      return tagged
  }
}
