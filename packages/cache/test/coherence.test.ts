/** L1 coherence across two processes: writes, tag invalidation and deletes in one drop the other's L1 copy (pub/sub, keys only). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Child } from './support/child.js'
import { cleanPrefix, eventually, randomPrefix, sharedRedis } from './support/redis.js'

const redis = sharedRedis()
const prefix = randomPrefix('coherence')
let a: Child
let b: Child

beforeAll(async () => {
  a = new Child('worker.mjs', { PREFIX: prefix })
  b = new Child('worker.mjs', { PREFIX: prefix })
  await Promise.all([a.next('ready'), b.next('ready')])
})
afterAll(async () => {
  await Promise.all([a.kill(), b.kill()])
  await cleanPrefix(redis, prefix)
  redis.disconnect()
})

async function peek(child: Child, key: string): Promise<unknown> {
  child.send({ op: 'peekL1', key })
  return (await child.next<{ value: unknown }>('peekL1')).value
}

async function get(child: Child, key: string): Promise<unknown> {
  child.send({ op: 'get', key })
  return (await child.next<{ value: unknown }>('get')).value
}

describe('L1 coherence across processes', () => {
  it('drops the other instance’s L1 copy on set, tag invalidation and delete', async () => {
    a.send({ op: 'set', key: 'p', value: { v: 1 }, tags: ['product'] })
    await a.next('set')
    expect(await get(b, 'p')).toEqual({ v: 1 })
    expect(await peek(b, 'p')).toEqual({ v: 1 })

    a.send({ op: 'set', key: 'p', value: { v: 2 }, tags: ['product'] })
    await a.next('set')
    await eventually(async () => (await peek(b, 'p')) === null)
    expect(await get(b, 'p')).toEqual({ v: 2 })
    expect(await peek(b, 'p')).toEqual({ v: 2 })

    a.send({ op: 'invalidateTags', tags: ['product'] })
    expect((await a.next<{ result: { keys: number } }>('invalidateTags')).result.keys).toBe(1)
    await eventually(async () => (await peek(b, 'p')) === null)
    expect(await get(b, 'p')).toBeNull()

    b.send({ op: 'set', key: 'q', value: 'from-b' })
    await b.next('set')
    expect(await get(a, 'q')).toBe('from-b')
    b.send({ op: 'delete', key: 'q' })
    await b.next('delete')
    await eventually(async () => (await peek(a, 'q')) === null)
    expect(await get(a, 'q')).toBeNull()
  })

  it('messages on the bus carry keys, never values', async () => {
    const sub = redis.duplicate()
    const seen: string[] = []
    await sub.subscribe(`${prefix}__bus`)
    sub.on('message', (_channel: string, message: string) => seen.push(message))
    a.send({ op: 'set', key: 'secret', value: { card: 'value-that-must-not-travel' } })
    await a.next('set')
    await eventually(() => seen.length > 0)
    expect(seen.join('\n')).not.toContain('value-that-must-not-travel')
    expect(JSON.parse(seen[0]!)).toMatchObject({ t: 'd', k: [`${prefix}secret`] })
    sub.disconnect()
  })
})
