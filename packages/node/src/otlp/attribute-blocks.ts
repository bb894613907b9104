/**
 * Whole encoded attribute blocks of repeating spans. Spans of one name mostly carry the same
 * attributes from one to the next (a query's system, namespace, statement, server and operation;
 * a health probe's method, path and status): when every key and value of a span equals, in
 * order, those of the last block made for its name, the span's attributes are that block's bytes,
 * copied at once instead of sized and written field by field. A name whose attributes keep
 * changing (a server span's `url.path`) stops getting blocks after a few misses and tries again
 * after a while. Only strings (up to a length), numbers and booleans go into blocks.
 */

/** Consecutive misses after which a name gets no new block until its retry. */
const MAX_MISSES = 3
/** Encodes of a name after which its misses are forgotten and blocks are tried again. */
const RETRY_AFTER = 1024
/** Attributes per block, at most. */
const MAX_KEYS = 64

/** The keys and values of one span's attributes, in order, and their encoded fields. */
export class AttributeBlock {
  readonly keys: string[]
  readonly values: unknown[]
  readonly bytes: Buffer

  constructor(keys: string[], values: unknown[], bytes: Buffer) {
    this.keys = keys
    this.values = values
    this.bytes = bytes
  }

  /** Whether `attributes` holds exactly this block's keys and values, in this order. */
  matches(attributes: Record<string, unknown>): boolean {
    const keys = this.keys
    const values = this.values
    let i = 0
    for (const key in attributes) {
      const value = attributes[key]
      if (value === undefined || value === null) continue
      if (i === keys.length || keys[i] !== key || values[i] !== value) return false
      i++
    }
    return i === keys.length
  }
}

/** The block of each slot of the recent span names (see span-encoder.ts), with its miss counts. */
export class NameBlocks {
  private readonly blocks: Array<AttributeBlock | undefined>
  private readonly misses: number[]
  private readonly encodes: number[]

  constructor(slots: number) {
    this.blocks = new Array<AttributeBlock | undefined>(slots).fill(undefined)
    this.misses = new Array<number>(slots).fill(0)
    this.encodes = new Array<number>(slots).fill(0)
  }

  /** The block of name slot `slot` that `attributes` match, or undefined (counted as a miss). */
  find(slot: number, attributes: Record<string, unknown>): AttributeBlock | undefined {
    const block = this.blocks[slot]
    const encodes = (this.encodes[slot] as number) + 1
    this.encodes[slot] = encodes
    if (block?.matches(attributes)) {
      this.misses[slot] = 0
      return block
    }
    if (encodes % RETRY_AFTER === 0) this.misses[slot] = 0
    return undefined
  }

  /**
   * Whether a missed span's attributes should become its name's block: not after MAX_MISSES
   * misses in a row (the caller then skips the copy it would take).
   */
  wants(slot: number): boolean {
    const misses = this.misses[slot] as number
    this.misses[slot] = misses + 1
    return misses < MAX_MISSES
  }

  /**
   * Makes `attributes` (encoded as `bytes`, which it copies) the block of name slot `slot`, when
   * every value is a string of at most `maxString` characters, a number or a boolean.
   */
  keep(slot: number, attributes: Record<string, unknown>, bytes: Uint8Array, maxString: number): void {
    const keys: string[] = []
    const values: unknown[] = []
    for (const key in attributes) {
      const value = attributes[key]
      if (value === undefined || value === null) continue
      const type = typeof value
      if (
        type === 'string' ? (value as string).length > maxString : type !== 'number' && type !== 'boolean'
      ) {
        return
      }
      if (keys.length === MAX_KEYS) return
      keys.push(key)
      values.push(value)
    }
    this.blocks[slot] = new AttributeBlock(keys, values, Buffer.from(bytes))
  }

  /** Forgets slot `slot` (another name took it). */
  reset(slot: number): void {
    this.blocks[slot] = undefined
    this.misses[slot] = 0
    this.encodes[slot] = 0
  }
}
