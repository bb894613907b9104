/**
 * The whole-attribute-block cache of the OTLP encoder: which spans reuse a block, when a name
 * stops getting new blocks and when it tries again. (Bytes are checked against the official
 * serializer in otlp-encode.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { AttributeBlock, NameBlocks } from '../src/otlp/attribute-blocks.js'

const BYTES = new Uint8Array([1, 2, 3])

describe('AttributeBlock', () => {
  const block = new AttributeBlock(['a', 'b'], ['x', 2], Buffer.from(BYTES))
  it('matches the same keys and values in the same order, skipping empty values', () => {
    expect(block.matches({ a: 'x', b: 2 })).toBe(true)
    expect(block.matches({ a: 'x', skipped: undefined, b: 2, none: null })).toBe(true)
  })
  it('does not match another value, type, order, or a key more or fewer', () => {
    expect(block.matches({ a: 'x', b: 3 })).toBe(false)
    expect(block.matches({ a: 'x', b: '2' })).toBe(false)
    expect(block.matches({ b: 2, a: 'x' })).toBe(false)
    expect(block.matches({ a: 'x', b: 2, c: true })).toBe(false)
    expect(block.matches({ a: 'x' })).toBe(false)
  })
})

describe('NameBlocks', () => {
  it('serves a kept block until the attributes change', () => {
    const blocks = new NameBlocks(2)
    expect(blocks.find(0, { a: 'x' })).toBeUndefined()
    expect(blocks.wants(0)).toBe(true)
    blocks.keep(0, { a: 'x' }, BYTES, 256)
    expect(blocks.find(0, { a: 'x' })?.bytes).toEqual(Buffer.from(BYTES))
    expect(blocks.find(1, { a: 'x' })).toBeUndefined()
    expect(blocks.find(0, { a: 'y' })).toBeUndefined()
  })

  it('keeps a copy of the bytes, not a view of the caller buffer', () => {
    const blocks = new NameBlocks(1)
    const bytes = new Uint8Array([7, 8])
    blocks.keep(0, { a: 1 }, bytes, 256)
    bytes[0] = 0
    expect([...(blocks.find(0, { a: 1 })?.bytes ?? [])]).toEqual([7, 8])
  })

  it('makes no block of arrays or of strings longer than the limit', () => {
    const blocks = new NameBlocks(1)
    blocks.keep(0, { list: ['a'] }, BYTES, 256)
    expect(blocks.find(0, { list: ['a'] })).toBeUndefined()
    blocks.keep(0, { long: 'x'.repeat(11) }, BYTES, 10)
    expect(blocks.find(0, { long: 'x'.repeat(11) })).toBeUndefined()
  })

  it('stops making blocks after three misses in a row, and tries again after 1,024 encodes', () => {
    const blocks = new NameBlocks(1)
    let path = 0
    const misses = () => {
      path++
      return blocks.find(0, { path }) === undefined && blocks.wants(0)
    }
    expect([misses(), misses(), misses(), misses(), misses()]).toEqual([true, true, true, false, false])
    for (let i = 5; i < 1023; i++) misses()
    expect(misses()).toBe(true)
  })

  it('forgets a slot another name takes', () => {
    const blocks = new NameBlocks(1)
    blocks.keep(0, { a: 1 }, BYTES, 256)
    blocks.reset(0)
    expect(blocks.find(0, { a: 1 })).toBeUndefined()
  })
})
