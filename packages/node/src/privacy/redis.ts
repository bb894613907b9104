/**
 * `db.query.text` of a Redis command: the command name, the key(s) it works on, and `?` for every
 * other argument, so no value (SET payloads, hash fields' values, list elements, EVAL / EVALSHA /
 * FCALL scripts and arguments, AUTH and CONFIG SET secrets) is ever recorded. Keys and subcommands
 * (`CLIENT SETINFO`, `CONFIG SET`) are kept, keys with e-mail addresses, JWTs and tokens in them
 * replaced (see url.ts). Commands not listed here show no argument at all: safe by default for
 * module and future commands. Used by the ioredis channel subscriber and as the statement
 * serializer of the upstream ioredis and node-redis instrumentations.
 */
import { redactKey } from './url.js'

/** Commands whose every argument is a key. */
const ALL_KEYS = new Set(
  'DEL UNLINK EXISTS TOUCH MGET WATCH SINTER SUNION SDIFF SINTERSTORE SUNIONSTORE SDIFFSTORE PFCOUNT PFMERGE RENAME RENAMENX'.split(
    ' ',
  ),
)

/** Commands whose first argument is a key; the rest are values or options. */
const FIRST_KEY = new Set(
  [
    // strings and generic
    'GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX GETRANGE SETRANGE APPEND STRLEN INCR INCRBY',
    'INCRBYFLOAT DECR DECRBY EXPIRE PEXPIRE EXPIREAT PEXPIREAT EXPIRETIME PEXPIRETIME PERSIST TTL',
    'PTTL TYPE DUMP RESTORE SORT SORT_RO MOVE COPY LCS SETBIT GETBIT BITCOUNT BITPOS BITFIELD',
    'BITFIELD_RO PFADD',
    // hashes
    'HSET HSETNX HGET HMSET HMGET HDEL HEXISTS HGETALL HINCRBY HINCRBYFLOAT HKEYS HVALS HLEN',
    'HSTRLEN HSCAN HRANDFIELD HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT HEXPIRETIME HPEXPIRETIME HTTL',
    'HPTTL HPERSIST HGETDEL HGETEX HSETEX',
    // lists
    'LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LRANGE LLEN LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE',
    'BLMOVE RPOPLPUSH BRPOPLPUSH BLPOP BRPOP',
    // sets and sorted sets
    'SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SSCAN ZADD ZREM ZRANGE',
    'ZRANGEBYSCORE ZREVRANGE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZRANK ZREVRANK ZSCORE',
    'ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZINCRBY ZPOPMIN ZPOPMAX BZPOPMIN BZPOPMAX ZREMRANGEBYRANK',
    'ZREMRANGEBYSCORE ZREMRANGEBYLEX ZSCAN ZRANDMEMBER ZRANGESTORE ZUNIONSTORE ZINTERSTORE',
    'ZDIFFSTORE',
    // streams and geo
    'XADD XRANGE XREVRANGE XLEN XDEL XTRIM XACK XCLAIM XAUTOCLAIM XPENDING XSETID GEOADD GEODIST',
    'GEOHASH GEOPOS GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER GEORADIUS_RO',
    'GEORADIUSBYMEMBER_RO',
  ]
    .join(' ')
    .split(' '),
)

/** Commands whose first argument is a subcommand (a keyword, never a value): `CLIENT SETINFO ? ?`. */
const SUBCOMMAND = new Set(
  'ACL CLIENT CLUSTER COMMAND CONFIG FUNCTION LATENCY MEMORY MODULE OBJECT PUBSUB SCRIPT SLOWLOG XGROUP XINFO'.split(
    ' ',
  ),
)

/** Arguments written out in full before the rest is summarised. */
const MAX_SHOWN = 8
const MAX_KEY_LENGTH = 200

function keyText(arg: unknown): string {
  const text = typeof arg === 'string' ? arg : Buffer.isBuffer(arg) ? arg.toString('utf8') : String(arg)
  const key = text.length > MAX_KEY_LENGTH ? `${text.slice(0, MAX_KEY_LENGTH)}...` : text
  return redactKey(key)
}

/** How a command's arguments are shown: its upper-case name, how many are keys, a subcommand first. */
interface CommandShape {
  readonly name: string
  readonly allKeys: boolean
  readonly firstKey: boolean
  readonly subcommand: boolean
}

/**
 * Shapes by the command name as the client spells it (`get`): a Map hit on the client's interned
 * name instead of upper-casing it and hashing the new string into three sets on every call.
 * Bounded (a client may send any command name): cleared when full.
 */
const shapes = new Map<string, CommandShape>()
const MAX_SHAPES = 1024

function shapeOf(command: string): CommandShape {
  let shape = shapes.get(command)
  if (shape === undefined) {
    const name = command.toUpperCase()
    shape = {
      name,
      allKeys: ALL_KEYS.has(name),
      firstKey: FIRST_KEY.has(name),
      subcommand: SUBCOMMAND.has(name),
    }
    if (shapes.size >= MAX_SHAPES) shapes.clear()
    shapes.set(command, shape)
  }
  return shape
}

/** The command's name in upper case (`db.operation.name`). */
export function redisCommandName(command: string): string {
  return shapeOf(command).name
}

/** `SET user:42 ?`, `MGET a b`, `EVAL ? ? ? ?`, `AUTH ? ?`, `CONFIG SET ? ?`, `PING`. */
export function redisStatement(command: string, args: ArrayLike<unknown> | undefined): string {
  const shape = shapeOf(command)
  const name = shape.name
  const count = args?.length ?? 0
  if (count === 0 || args === undefined) return name
  const keys = shape.allKeys ? count : shape.firstKey ? 1 : 0
  let out = name
  const shown = Math.min(count, MAX_SHOWN)
  let i = 0
  if (shape.subcommand) {
    out += ` ${String(args[0])
      .slice(0, 32)
      .toUpperCase()
      .replace(/[^A-Z_-]/g, '?')}`
    i = 1
  }
  for (; i < shown; i++) out += i < keys ? ` ${keyText(args[i])}` : ' ?'
  if (count > shown) out += ` ... (${count} arguments)`
  return out
}
